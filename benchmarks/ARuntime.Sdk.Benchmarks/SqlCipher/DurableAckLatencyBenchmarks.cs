using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.Benchmarks.SqlCipher;

/// <summary>
/// Durable-acknowledgement latency at a steady 1,000 records/s: an open-loop producer issues one durable write every
/// millisecond for 2 s and each write's latency is measured from its scheduled time to its acknowledgement (so a stall
/// counts against every write it delays). SDK: <c>WriteAsync(…, Durable)</c> through the group-commit writer. Baseline:
/// the same rows committed one transaction per record by a dedicated thread on the same SQLCipher library and settings.
/// The p50/p99 of each are printed at the end of the run (the BenchmarkDotNet time is the 2 s window).
/// </summary>
[Config(typeof(SqlCipherBenchmarkConfig))]
public class DurableAckLatencyBenchmarks
{
    private const int Records = 2000;
    private const int RatePerSecond = 1000;

    private readonly StoreKey key = BenchmarkDatabase.Key();
    private readonly ConcurrentBag<double> latencies = [];
    private string directory = null!;
    private SqlCipherStore store = null!;
    private SqliteConnection raw = null!;
    private int iteration;

    [IterationSetup(Target = nameof(SdkDurableWrites))]
    public void OpenStore()
    {
        directory = BenchmarkDatabase.FreshDirectory("latency");
        store = SqlCipherStore.OpenAsync(BenchmarkDatabase.StoreOptions(Path.Combine(directory, "store.db"), key)).GetAwaiter().GetResult();
        iteration++;
    }

    [IterationCleanup(Target = nameof(SdkDurableWrites))]
    public void CloseStore()
    {
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        BenchmarkDatabase.Delete(directory);
    }

    [IterationSetup(Target = nameof(CommitPerRecord))]
    public void OpenRaw()
    {
        directory = BenchmarkDatabase.FreshDirectory("latency-baseline");
        raw = BenchmarkDatabase.OpenRaw(Path.Combine(directory, "baseline.db"), key);
        BenchmarkDatabase.Execute(raw, "CREATE TABLE record(id TEXT NOT NULL PRIMARY KEY, payload BLOB NOT NULL) WITHOUT ROWID");
        iteration++;
    }

    [IterationCleanup(Target = nameof(CommitPerRecord))]
    public void CloseRaw()
    {
        raw.Dispose();
        BenchmarkDatabase.Delete(directory);
    }

    [GlobalCleanup(Target = nameof(CommitPerRecord))]
    public void ReportBaseline() => Report("baseline: one commit per record");

    [GlobalCleanup(Target = nameof(SdkDurableWrites))]
    public void ReportSdk() => Report("SDK: durable writes through the group-commit writer");

    [Benchmark(Baseline = true, Description = "one commit per record at 1,000/s")]
    public void CommitPerRecord()
    {
        using var queue = new BlockingCollection<(int Index, long Due)>();
        var committer = new Thread(() =>
        {
            using var insert = raw.CreateCommand();
            insert.CommandText = "INSERT INTO record(id, payload) VALUES ($id, $payload)";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
            payload.Value = new byte[400];
            foreach (var (index, due) in queue.GetConsumingEnumerable())
            {
                BenchmarkDatabase.Execute(raw, "BEGIN IMMEDIATE");
                id.Value = index.ToString(CultureInfo.InvariantCulture);
                insert.ExecuteNonQuery();
                BenchmarkDatabase.Execute(raw, "COMMIT");
                Record(due);
            }
        });
        committer.Start();
        Pace((index, due) => queue.Add((index, due)));
        queue.CompleteAdding();
        committer.Join();
    }

    [Benchmark(Description = "SDK durable writes at 1,000/s")]
    public void SdkDurableWrites()
    {
        var pending = new List<Task>(Records);
        Pace((index, due) => pending.Add(Write(index, due)));
        Task.WaitAll(pending);

        async Task Write(int index, long due)
        {
            await store.Evidence.WriteAsync(Record(index), EvidenceDurability.Durable).ConfigureAwait(false);
            Record(due);
        }
    }

    private EvidenceRecord Record(int index) => new()
    {
        RecordId = string.Create(CultureInfo.InvariantCulture, $"rec-{iteration}-{index:D6}"),
        RequestId = "req",
        TenantId = "bench",
        Sequence = index + 1,
        Stage = LifecycleStage.ToolExecution,
        Kind = "tool.started",
        Outcome = StageOutcome.Completed,
        Timestamp = DateTimeOffset.UnixEpoch.AddMilliseconds(index),
        Attributes = new Dictionary<string, string> { ["payload"] = new string('p', 400) },
    };

    private static void Pace(Action<int, long> issue)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < Records; i++)
        {
            var due = start + (i * Stopwatch.Frequency / RatePerSecond);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.Yield();
            }

            issue(i, due);
        }
    }

    private void Record(long due)
    {
        // Only measured iterations count (the first iteration is the warm-up).
        if (iteration > 1)
        {
            latencies.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
        }
    }

    private void Report(string name)
    {
        var sorted = latencies.Order().ToArray();
        if (sorted.Length == 0)
        {
            return;
        }

        double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        var line = string.Create(CultureInfo.InvariantCulture, $"DURABLE-ACK LATENCY {name}: n={sorted.Length} p50={Percentile(0.50):F2} ms p99={Percentile(0.99):F2} ms max={sorted[^1]:F2} ms");
        Console.WriteLine(line);
        var results = Path.Combine("BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(results);
        File.AppendAllText(Path.Combine(results, "durable-ack-latency.txt"), line + Environment.NewLine);
    }
}
