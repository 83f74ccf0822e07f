using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.Benchmarks.SqlCipher;

/// <summary>
/// Sustained evidence throughput: 4 concurrent writers push 20,000 records, each carrying a 400-byte payload, through the
/// SDK's group-commit writer (Merkle log, salted commitments, AES-GCM sealing, checkpoints) until all are durable.
/// Baseline: the same rows, 400-byte blobs, inserted by a bare loop in batched transactions of the writer's maximum batch
/// size on the same SQLCipher library and settings. Records/s = 20,000 / time.
/// </summary>
[Config(typeof(SqlCipherBenchmarkConfig))]
[MemoryDiagnoser]
public class EvidenceThroughputBenchmarks
{
    private const int Records = 20_000;
    private const int Writers = 4;
    private const int BatchSize = 512;

    private readonly StoreKey key = BenchmarkDatabase.Key();
    private string directory = null!;
    private SqlCipherStore store = null!;
    private SqliteConnection raw = null!;
    private EvidenceRecord[] records = null!;

    [GlobalSetup]
    public void Setup()
    {
        var payload = new string('p', 400);
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(payload)));
        records = [.. Enumerable.Range(0, Records).Select(i => new EvidenceRecord
        {
            RecordId = $"rec-{i:D8}",
            RequestId = $"req-{i / 16:D6}",
            TenantId = "bench",
            Sequence = (i % 16) + 1,
            Stage = LifecycleStage.ToolExecution,
            Kind = "tool.call",
            Outcome = StageOutcome.Completed,
            Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(i),
            Payloads = [new PayloadDigest { Name = "tool.result", Digest = digest, Length = 400, Content = payload }],
        })];
    }

    [IterationSetup(Target = nameof(SdkGroupCommitWriter))]
    public void OpenStore()
    {
        directory = BenchmarkDatabase.FreshDirectory("throughput");
        store = SqlCipherStore.OpenAsync(BenchmarkDatabase.StoreOptions(Path.Combine(directory, "store.db"), key)).GetAwaiter().GetResult();
    }

    [IterationCleanup(Target = nameof(SdkGroupCommitWriter))]
    public void CloseStore()
    {
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        BenchmarkDatabase.Delete(directory);
    }

    [IterationSetup(Target = nameof(BareBatchedInsertLoop))]
    public void OpenRaw()
    {
        directory = BenchmarkDatabase.FreshDirectory("throughput-baseline");
        raw = BenchmarkDatabase.OpenRaw(Path.Combine(directory, "baseline.db"), key);
        BenchmarkDatabase.Execute(raw, "CREATE TABLE record(id TEXT NOT NULL PRIMARY KEY, payload BLOB NOT NULL) WITHOUT ROWID");
    }

    [IterationCleanup(Target = nameof(BareBatchedInsertLoop))]
    public void CloseRaw()
    {
        raw.Dispose();
        BenchmarkDatabase.Delete(directory);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records, Description = "bare batched INSERT loop, 400-byte blobs")]
    public void BareBatchedInsertLoop()
    {
        var blob = new byte[400];
        using var insert = raw.CreateCommand();
        insert.CommandText = "INSERT INTO record(id, payload) VALUES ($id, $payload)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
        for (var start = 0; start < Records; start += BatchSize)
        {
            BenchmarkDatabase.Execute(raw, "BEGIN IMMEDIATE");
            for (var i = start; i < Math.Min(Records, start + BatchSize); i++)
            {
                id.Value = records[i].RecordId;
                payload.Value = blob;
                insert.ExecuteNonQuery();
            }

            BenchmarkDatabase.Execute(raw, "COMMIT");
        }
    }

    [Benchmark(OperationsPerInvoke = Records, Description = "SDK group-commit writer, 4 writers")]
    public async Task SdkGroupCommitWriter()
    {
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < Records; i += Writers)
            {
                await store.Evidence.WriteAsync(records[i], EvidenceDurability.Acknowledged);
            }
        })));
        await store.Evidence.FlushAsync();
    }
}
