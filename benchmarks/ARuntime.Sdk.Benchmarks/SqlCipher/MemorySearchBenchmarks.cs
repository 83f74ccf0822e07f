using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Memory;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.Benchmarks.SqlCipher;

/// <summary>
/// Memory search latency over 100,000 items of one scope: a two-keyword query whose words each occur in about 1% of the
/// items, top 10 by BM25. SDK: <c>SearchAsync</c> (blinded FTS4 terms, scope filter, BM25, AES-GCM opening of the 10
/// results). Baseline: the same documents in a plain FTS4 table on the same SQLCipher library, the same ranked query
/// over plaintext terms (matchinfo + BM25, then reading the 10 texts). The 100,000-item fixtures are built once and kept
/// in the temporary directory for later runs.
/// </summary>
[Config(typeof(SqlCipherSearchBenchmarkConfig))]
public class MemorySearchBenchmarks
{
    private const int Items = 100_000;
    private const int Vocabulary = 4000;
    private static readonly MemoryScope Scope = MemoryScope.ForActor("bench", "alice");

    private readonly StoreKey key = BenchmarkDatabase.Key();
    private SqlCipherStore store = null!;
    private SqliteConnection raw = null!;
    private string query = null!;

    [GlobalSetup]
    public void Setup()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aruntime-benchmarks", "memory-100k-v2");
        Directory.CreateDirectory(directory);
        var storePath = Path.Combine(directory, "store.db");
        var ready = Path.Combine(directory, "ready");
        if (!File.Exists(ready))
        {
            foreach (var file in Directory.GetFiles(directory))
            {
                File.Delete(file);
            }

            Build(storePath, Path.Combine(directory, "baseline.db"));
            File.WriteAllText(ready, "ok");
        }

        store = SqlCipherStore.OpenAsync(BenchmarkDatabase.StoreOptions(storePath, key)).GetAwaiter().GetResult();
        raw = BenchmarkDatabase.OpenRaw(Path.Combine(directory, "baseline.db"), key);

        // Words ranked ~40 in a Zipf vocabulary each occur in roughly 1% of 12-word documents.
        query = $"{Word(40)} {Word(41)}";
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        raw.Dispose();
    }

    [Benchmark(Baseline = true, Description = "plain FTS4 ranked query, plaintext terms")]
    public int PlainFts4RankedQuery()
    {
        var words = query.Split(' ');
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT docid, matchinfo(doc, 'pcnalx') FROM doc WHERE doc MATCH $match";
        command.Parameters.AddWithValue("$match", string.Join(" OR ", words));
        var ranked = new List<(long Id, double Score)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                ranked.Add((reader.GetInt64(0), Bm25.Score((byte[])reader.GetValue(1))));
            }
        }

        var count = 0;
        using var fetch = raw.CreateCommand();
        fetch.CommandText = "SELECT body FROM doc WHERE docid = $id";
        var id = fetch.Parameters.AddWithValue("$id", 0L);
        foreach (var (docid, _) in ranked.OrderByDescending(r => r.Score).Take(10))
        {
            id.Value = docid;
            count += ((string)fetch.ExecuteScalar()!).Length > 0 ? 1 : 0;
        }

        return count;
    }

    [Benchmark(Description = "SDK memory search (blinded, scoped, sealed)")]
    public async Task<int> SdkMemorySearch()
    {
        var count = 0;
        await foreach (var item in store.Memory.SearchAsync(new MemoryQuery { Scope = Scope, Text = query, Limit = 10 }))
        {
            count += item.Content.Length > 0 ? 1 : 0;
        }

        return count;
    }

    private static string Word(int rank) => "w" + rank.ToString("D4", CultureInfo.InvariantCulture);

    private static string Document(Random random, double[] cumulative)
    {
        var words = new string[12];
        for (var i = 0; i < words.Length; i++)
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble());
            words[i] = Word(index < 0 ? ~index : index);
        }

        return string.Join(' ', words);
    }

    private void Build(string storePath, string baselinePath)
    {
        var weights = Enumerable.Range(1, Vocabulary).Select(r => 1.0 / r).ToArray();
        var total = weights.Sum();
        var cumulative = new double[Vocabulary];
        var sum = 0.0;
        for (var i = 0; i < Vocabulary; i++)
        {
            sum += weights[i] / total;
            cumulative[i] = sum;
        }

#pragma warning disable CA5394 // Deterministic synthetic text, not security.
        var random = new Random(20260115);
        var documents = Enumerable.Range(0, Items).Select(_ => Document(random, cumulative)).ToArray();
#pragma warning restore CA5394

        using (var builder = SqlCipherStore.OpenAsync(BenchmarkDatabase.StoreOptions(storePath, key)).GetAwaiter().GetResult())
        {
            // Many writes in flight, so the group-commit writer commits them in large batches.
            for (var start = 0; start < documents.Length; start += 1024)
            {
                var window = Enumerable.Range(start, Math.Min(1024, documents.Length - start)).Select(i => builder.Memory.RetainAsync(new MemoryWrite
                {
                    Scope = Scope,
                    Content = documents[i],
                    Provenance = new MemoryProvenance { SourceType = "import" },
                    Retention = RetentionClass.LegalHold,
                }).AsTask());
                Task.WhenAll(window).GetAwaiter().GetResult();
            }
        }

        using var baseline = BenchmarkDatabase.OpenRaw(baselinePath, key);
        BenchmarkDatabase.Execute(baseline, "CREATE VIRTUAL TABLE doc USING fts4(body, tokenize=simple)");
        using var insert = baseline.CreateCommand();
        insert.CommandText = "INSERT INTO doc(docid, body) VALUES ($id, $body)";
        var idParameter = insert.Parameters.Add("$id", SqliteType.Integer);
        var bodyParameter = insert.Parameters.Add("$body", SqliteType.Text);
        BenchmarkDatabase.Execute(baseline, "BEGIN");
        for (var i = 0; i < documents.Length; i++)
        {
            idParameter.Value = i + 1;
            bodyParameter.Value = documents[i];
            insert.ExecuteNonQuery();
        }

        BenchmarkDatabase.Execute(baseline, "COMMIT");
    }
}
