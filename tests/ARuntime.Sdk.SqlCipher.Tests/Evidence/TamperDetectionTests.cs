using System.Text;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Keys;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary>
/// A 10,000-record log tampered with through a raw SQL connection holding the key (what an insider with the key could
/// do): verification finds each change and reports the first affected position.
/// </summary>
public sealed class TamperDetectionTests
{
    private const int Records = 10_000;
    private TestStore template = null!;

    [OneTimeSetUp]
    public async Task CreateLogAsync()
    {
        template = await TestStore.OpenAsync(o => o.CheckpointEveryRecords = 2500);
        var pending = new List<Task>();
        for (var i = 0; i < Records; i++)
        {
            var record = i % 100 == 0 ? TestStore.Record("t", i, payloads: TestStore.Payload("tool.result", $"result {i}")) : TestStore.Record("t", i);
            pending.Add(template.Store.Evidence.WriteAsync(record, EvidenceDurability.Acknowledged).AsTask());
        }

        await Task.WhenAll(pending);
        await template.Store.Evidence.FlushAsync();
        await template.Store.Evidence.CreateCheckpointAsync("t");
        await template.CloseAsync();
    }

    [OneTimeTearDown]
    public async Task DeleteLogAsync() => await template.DisposeAsync();

    [Test]
    public async Task The_untouched_log_verifies_with_its_checkpoints_and_payloads()
    {
        var report = await VerifyCopyAsync(_ => { });

        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.TreeSize, Is.EqualTo(Records));
            Assert.That(report.CheckpointsChecked, Is.GreaterThanOrEqualTo(4));
            Assert.That(report.PayloadsChecked, Is.EqualTo(Records / 100));
        });
    }

    [Test]
    public async Task A_modified_record_is_found_at_its_position()
    {
        var report = await VerifyCopyAsync(db => UpdateLeaf(db, 4321, json => json.Replace("route=local", "route=remote", StringComparison.Ordinal)));

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Modified));
            Assert.That(report.LeafIndex, Is.EqualTo(4321));
        });
    }

    [Test]
    public async Task A_modified_query_column_that_hides_a_record_is_found()
    {
        var report = await VerifyCopyAsync(db => Execute(db, "UPDATE evidence_record SET kind = 'hidden' WHERE tenant_id = 't' AND leaf_index = 777"));

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Modified));
            Assert.That(report.LeafIndex, Is.EqualTo(777));
            Assert.That(report.Message, Does.Contain("kind"));
        });
    }

    [Test]
    public async Task A_deleted_record_is_found_at_its_position()
    {
        var report = await VerifyCopyAsync(db => Execute(db, "DELETE FROM evidence_record WHERE tenant_id = 't' AND leaf_index = 5000"));

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Deleted));
            Assert.That(report.LeafIndex, Is.EqualTo(5000));
        });
    }

    [Test]
    public async Task A_deleted_record_whose_successors_were_moved_up_is_found()
    {
        var report = await VerifyCopyAsync(db =>
        {
            Execute(db, "DELETE FROM evidence_record WHERE tenant_id = 't' AND leaf_index = 3000");
            Execute(db, "UPDATE evidence_record SET leaf_index = leaf_index - 1 WHERE tenant_id = 't' AND leaf_index > 3000");
        });

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Deleted));
            Assert.That(report.LeafIndex, Is.EqualTo(3000));
        });
    }

    [Test]
    public async Task An_inserted_record_is_found_at_its_position()
    {
        var report = await VerifyCopyAsync(db =>
        {
            // Make room at 6000 and insert a well-formed forged record there.
            Execute(db, "UPDATE evidence_record SET leaf_index = leaf_index + 1000000 WHERE tenant_id = 't' AND leaf_index >= 6000");
            Execute(db, "UPDATE evidence_record SET leaf_index = leaf_index - 999999 WHERE tenant_id = 't' AND leaf_index >= 1000000");
            var forged = ReadLeaf(db, 6001).Replace("t-rec-006000", "t-rec-forged", StringComparison.Ordinal);
            using var command = db.CreateCommand();
            command.CommandText = "INSERT INTO evidence_record SELECT tenant_id, 6000, 't-rec-forged', request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, $leaf FROM evidence_record WHERE tenant_id = 't' AND leaf_index = 6001";
            command.Parameters.AddWithValue("$leaf", Encoding.UTF8.GetBytes(forged));
            command.ExecuteNonQuery();
        });

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Inserted));
            Assert.That(report.LeafIndex, Is.EqualTo(6000));
        });
    }

    [Test]
    public async Task A_record_appended_behind_the_tree_is_found()
    {
        var report = await VerifyCopyAsync(db =>
            Execute(db, $"INSERT INTO evidence_record SELECT tenant_id, {Records}, 't-rec-extra', request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, leaf FROM evidence_record WHERE tenant_id = 't' AND leaf_index = 10"));

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Inserted));
            Assert.That(report.LeafIndex, Is.EqualTo(Records));
        });
    }

    [Test]
    public async Task Reordered_records_are_found_at_the_first_moved_position()
    {
        var report = await VerifyCopyAsync(db =>
        {
            Execute(db, "UPDATE evidence_record SET leaf_index = -1 WHERE tenant_id = 't' AND leaf_index = 2000");
            Execute(db, "UPDATE evidence_record SET leaf_index = 2000 WHERE tenant_id = 't' AND leaf_index = 2001");
            Execute(db, "UPDATE evidence_record SET leaf_index = 2001 WHERE tenant_id = 't' AND leaf_index = -1");
        });

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Reordered));
            Assert.That(report.LeafIndex, Is.EqualTo(2000));
        });
    }

    [Test]
    public async Task A_modified_payload_is_found_by_its_commitment()
    {
        var report = await VerifyCopyAsync(db =>
        {
            // Swap two payload rows: each still opens under the tenant key only with its own record's associated data.
            Execute(db, "UPDATE evidence_payload SET sealed = (SELECT sealed FROM evidence_payload WHERE tenant_id = 't' AND leaf_index = 200) WHERE tenant_id = 't' AND leaf_index = 900");
        });

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.PayloadModified));
            Assert.That(report.LeafIndex, Is.EqualTo(900));
        });
    }

    [Test]
    public async Task A_rewritten_leaf_and_leaf_hash_are_caught_by_the_stored_tree_and_the_signed_checkpoints()
    {
        var report = await VerifyCopyAsync(db =>
        {
            var changed = Encoding.UTF8.GetBytes(ReadLeaf(db, 8888).Replace("route=local", "route=remote", StringComparison.Ordinal));
            using var command = db.CreateCommand();
            command.CommandText = "UPDATE evidence_record SET leaf = $leaf WHERE tenant_id = 't' AND leaf_index = 8888; UPDATE merkle_node SET hash = $hash WHERE tenant_id = 't' AND level = 0 AND node_index = 8888;";
            command.Parameters.AddWithValue("$leaf", changed);
            command.Parameters.AddWithValue("$hash", MerkleTree.HashLeaf(changed));
            command.ExecuteNonQuery();
        });

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.TreeMismatch));
            Assert.That(report.LeafIndex, Is.EqualTo(8888), "the stored node over 8888..8889 no longer matches");
        });
    }

    [Test]
    public async Task A_tampered_log_refuses_further_writes_until_it_is_verified()
    {
        var directory = CopyTemplate();
        using (var db = template.OpenRaw(Path.Combine(directory, "store.db")))
        {
            Execute(db, "DELETE FROM merkle_node WHERE tenant_id = 't' AND level = 13");
        }

        await using var store = await SqlCipherStore.OpenAsync(Options(directory), template.Time);
        Assert.That(
            async () => await store.Evidence.WriteAsync(TestStore.Record("t", Records + 1), EvidenceDurability.Durable),
            Throws.TypeOf<EvidenceWriteException>().With.Message.Contains("altered outside the store"));
    }

    private async Task<EvidenceVerificationReport> VerifyCopyAsync(Action<SqliteConnection> tamper)
    {
        var directory = CopyTemplate();
        try
        {
            using (var db = template.OpenRaw(Path.Combine(directory, "store.db")))
            {
                tamper(db);
            }

            await using var store = await SqlCipherStore.OpenAsync(Options(directory), template.Time);
            return await store.Evidence.VerifyAsync("t");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private SqlCipherStoreOptions Options(string directory) => new()
    {
        DatabasePath = Path.Combine(directory, "store.db"),
        KeyProvider = StoreKeyProvider.FromKey(template.Key),
        PurgeInterval = TimeSpan.Zero,
        CheckpointInterval = TimeSpan.Zero,
    };

    private string CopyTemplate()
    {
        var directory = Path.Combine(template.Directory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.Copy(template.DatabasePath, Path.Combine(directory, "store.db"));
        File.Copy(template.DatabasePath + ".keyring", Path.Combine(directory, "store.db.keyring"));
        return directory;
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string ReadLeaf(SqliteConnection db, long index)
    {
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT leaf FROM evidence_record WHERE tenant_id = 't' AND leaf_index = {index}";
        return Encoding.UTF8.GetString((byte[])command.ExecuteScalar()!);
    }

    private static void UpdateLeaf(SqliteConnection db, long index, Func<string, string> change)
    {
        using var command = db.CreateCommand();
        command.CommandText = $"UPDATE evidence_record SET leaf = $leaf WHERE tenant_id = 't' AND leaf_index = {index}";
        command.Parameters.AddWithValue("$leaf", Encoding.UTF8.GetBytes(change(ReadLeaf(db, index))));
        command.ExecuteNonQuery();
    }
}
