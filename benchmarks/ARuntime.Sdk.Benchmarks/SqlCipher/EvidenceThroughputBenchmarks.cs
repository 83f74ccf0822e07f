using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using System.Text.Json;

namespace ARuntime.Sdk.Benchmarks.SqlCipher;

/// <summary>
/// Sustained evidence throughput: 4 concurrent writers push 20,000 records, each carrying a 400-byte payload, through the
/// SDK's group-commit writer (Merkle log, salted commitments, AES-GCM sealing, checkpoints) until all are durable.
/// Baselines, in the same run, on the same SQLCipher library and settings, in batched transactions of the writer's maximum
/// batch size: the bare loop inserting a 400-byte blob per record (the target's baseline), and a plain loop storing
/// the same records as the SDK — each record serialized to JSON with its payload, one row per record, unique by record
/// id — without tamper evidence or payload sealing. Records/s = 20,000 / time.
/// </summary>
[Config(typeof(SqlCipherBenchmarkConfig))]
[MemoryDiagnoser]
[MedianColumn]
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

    [IterationSetup(Target = nameof(PlainRecordInsertLoop))]
    public void OpenPlain()
    {
        directory = BenchmarkDatabase.FreshDirectory("throughput-plain");
        raw = BenchmarkDatabase.OpenRaw(Path.Combine(directory, "plain.db"), key);
        // A rowid table: rows of about 1 KiB would spill to overflow pages in a WITHOUT ROWID table (which the SDK avoids too).
        BenchmarkDatabase.Execute(raw, "CREATE TABLE record(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, record BLOB NOT NULL)");
    }

    [IterationCleanup(Targets = [nameof(BareBatchedInsertLoop), nameof(PlainRecordInsertLoop)])]
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

    [Benchmark(OperationsPerInvoke = Records, Description = "plain loop, same records as JSON with payload")]
    public void PlainRecordInsertLoop()
    {
        using var insert = raw.CreateCommand();
        insert.CommandText = "INSERT INTO record(id, record) VALUES ($id, $record)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var record = insert.Parameters.Add("$record", SqliteType.Blob);
        for (var start = 0; start < Records; start += BatchSize)
        {
            BenchmarkDatabase.Execute(raw, "BEGIN IMMEDIATE");
            for (var i = start; i < Math.Min(Records, start + BatchSize); i++)
            {
                id.Value = records[i].RecordId;
                record.Value = JsonSerializer.SerializeToUtf8Bytes(records[i], ARuntimeJsonContext.Default.EvidenceRecord);
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
