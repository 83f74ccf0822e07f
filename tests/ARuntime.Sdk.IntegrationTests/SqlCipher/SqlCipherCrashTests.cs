using System.Globalization;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.IntegrationTests.Infrastructure;
using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;

namespace ARuntime.Sdk.IntegrationTests.SqlCipher;

/// <summary>A process killed (SIGKILL) in the middle of heavy durable writes loses no acknowledged record, and its log still verifies.</summary>
public sealed class SqlCipherCrashTests
{
    private const int Writers = 4;

    [Test]
    public async Task A_writer_killed_mid_write_loses_no_durable_record_and_the_log_verifies_on_reopen()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aruntime-sqlcipher-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "crash.db");
        using var key = StoreKey.Generate();
        try
        {
            var committed = new long[Writers];
            Array.Fill(committed, -1);
            await using (var child = ChildProcess.Start("sqlcipher-crash-writer", database, key.ToHexString(), Writers.ToString(CultureInfo.InvariantCulture)))
            {
                await child.WaitForLineAsync(line => line == "READY", TimeSpan.FromMinutes(1));

                // Let it write a good amount, then kill it in the middle of writing.
                await child.WaitForLineAsync(line => Track(line, committed) >= 2000, TimeSpan.FromMinutes(3));
                await child.KillAsync();

                foreach (var line in child.Output)
                {
                    Track(line, committed);
                }
            }

            Assert.That(File.Exists(database + "-wal"), Is.True, "the process died with an open WAL");
            await using var store = await SqlCipherStore.OpenAsync(new SqlCipherStoreOptions { DatabasePath = database, KeyProvider = StoreKeyProvider.FromKey(key) });
            var report = await store.Evidence.VerifyAsync("crash");
            var ids = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var record in store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "crash" }))
            {
                ids.Add(record.RecordId);
            }

            var missing = Enumerable.Range(0, Writers)
                .SelectMany(w => Enumerable.Range(0, (int)committed[w] + 1).Select(seq => string.Create(CultureInfo.InvariantCulture, $"w{w}-{seq:D8}")))
                .Where(id => !ids.Contains(id))
                .ToList();
            Assert.Multiple(() =>
            {
                Assert.That(report.IsValid, Is.True, report.Message);
                Assert.That(report.TreeSize, Is.EqualTo(ids.Count));
                Assert.That(committed.Sum(), Is.GreaterThanOrEqualTo(2000 - Writers));
                Assert.That(missing, Is.Empty, "every record acknowledged durable before the kill is there");
            });

            // The log keeps growing after the crash.
            await store.Evidence.WriteAsync(new ARuntime.Sdk.Contracts.EvidenceRecord
            {
                RecordId = "after-crash",
                RequestId = "r",
                TenantId = "crash",
                Sequence = 1,
                Stage = ARuntime.Sdk.Contracts.LifecycleStage.IncidentRecovery,
                Kind = "request.interrupted",
                Outcome = ARuntime.Sdk.Contracts.StageOutcome.Completed,
                Timestamp = DateTimeOffset.UtcNow,
            }, EvidenceDurability.Durable);
            Assert.That((await store.Evidence.VerifyAsync("crash")).IsValid, Is.True);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Records the highest committed sequence per writer from a COMMITTED line; returns the total committed so far.</summary>
    private static long Track(string line, long[] committed)
    {
        var parts = line.Split(' ');
        if (parts.Length == 3 && parts[0] == "COMMITTED")
        {
            var writer = int.Parse(parts[1], CultureInfo.InvariantCulture);
            var seq = long.Parse(parts[2], CultureInfo.InvariantCulture);
            lock (committed)
            {
                committed[writer] = Math.Max(committed[writer], seq);
            }
        }

        lock (committed)
        {
            return committed.Sum(c => c + 1);
        }
    }
}
