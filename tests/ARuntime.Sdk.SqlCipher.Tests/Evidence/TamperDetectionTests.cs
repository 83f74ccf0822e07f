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

    // Rows are addressed by id = tenant number * 2^40 + leaf index; 't' is the store's first (and only) tenant.
    private const long Base = 1L << 40;
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
        using var db = template.OpenRaw();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT tenant_no FROM evidence_log WHERE tenant_id = 't'";
        Assert.That(command.ExecuteScalar(), Is.EqualTo(1L), "the row ids below assume tenant number 1");
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
    public async Task A_byte_changed_in_a_compact_stored_leaf_is_found_at_its_position()
    {
        // The last byte of the stored form is the leaf's closing '}': '!' keeps the row decodable but not the committed leaf.
        var report = await VerifyCopyAsync(db => UpdateStoredLeaf(db, 2468, stored =>
        {
            Assert.That(stored[0], Is.EqualTo(CompactJson.Marker), "rows hold the compact form");
            stored[^1] = (byte)'!';
            return stored;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Modified));
            Assert.That(report.LeafIndex, Is.EqualTo(2468));
        });
    }

    [Test]
    public async Task A_compact_stored_leaf_cut_short_is_found_at_its_position()
    {
        var report = await VerifyCopyAsync(db => UpdateStoredLeaf(db, 1357, stored => stored[..5]));

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Modified));
            Assert.That(report.LeafIndex, Is.EqualTo(1357));
        });
    }

    [Test]
    public async Task A_modified_query_column_that_hides_a_record_is_found()
    {
        var report = await VerifyCopyAsync(db => Execute(db, $"UPDATE evidence_record SET kind = 'hidden' WHERE id = {Base + 777}"));

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
        var report = await VerifyCopyAsync(db => Execute(db, $"DELETE FROM evidence_record WHERE id = {Base + 5000}"));

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
            Execute(db, $"DELETE FROM evidence_record WHERE id = {Base + 3000}");
            Execute(db, $"UPDATE evidence_record SET id = id - 1 WHERE id > {Base + 3000} AND id < {2 * Base}");
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
            Execute(db, $"UPDATE evidence_record SET id = id + 1000000 WHERE id >= {Base + 6000} AND id < {2 * Base}");
            Execute(db, $"UPDATE evidence_record SET id = id - 999999 WHERE id >= {Base + 1000000} AND id < {2 * Base}");
            var forged = ReadLeaf(db, 6001).Replace("t-rec-006000", "t-rec-forged", StringComparison.Ordinal);
            using var command = db.CreateCommand();
            command.CommandText = $"INSERT INTO evidence_record SELECT id - 1, tenant_no, 't-rec-forged', request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, subject, $leaf, NULL FROM evidence_record WHERE id = {Base + 6001}";
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
            Execute(db, $"INSERT INTO evidence_record SELECT {Base + Records}, tenant_no, 't-rec-extra', request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, subject, leaf, payloads FROM evidence_record WHERE id = {Base + 10}"));

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
            Execute(db, $"UPDATE evidence_record SET id = -1 WHERE id = {Base + 2000}");
            Execute(db, $"UPDATE evidence_record SET id = {Base + 2000} WHERE id = {Base + 2001}");
            Execute(db, $"UPDATE evidence_record SET id = {Base + 2001} WHERE id = -1");
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
            // Copy one record's sealed payloads to another: they open under the tenant key only with their own record's associated data.
            Execute(db, $"UPDATE evidence_record SET payloads = (SELECT payloads FROM evidence_record WHERE id = {Base + 200}) WHERE id = {Base + 900}");
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
            // The committed leaf hash of 8888 is hash 184 (8888 - 34 * 256) of the level-0 tile 34.
            using var read = db.CreateCommand();
            read.CommandText = "SELECT hashes FROM evidence_tile WHERE tenant_no = 1 AND level = 0 AND tile_index = 34";
            var tile = (byte[])read.ExecuteScalar()!;
            MerkleTree.HashLeaf(changed).CopyTo(tile, 184 * MerkleTree.HashSize);
            command.CommandText = $"UPDATE evidence_record SET leaf = $leaf WHERE id = {Base + 8888}; UPDATE evidence_tile SET hashes = $tile WHERE tenant_no = 1 AND level = 0 AND tile_index = 34;";
            command.Parameters.AddWithValue("$leaf", changed);
            command.Parameters.AddWithValue("$tile", tile);
            command.ExecuteNonQuery();
        });

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.TreeMismatch));
            Assert.That(report.LeafIndex, Is.EqualTo(8704), "the stored tree hash over records 8704..8959 (tile level 1) no longer matches");
            Assert.That(report.Message, Does.Contain("8704..8959"));
        });
    }

    [Test]
    public async Task A_rewritten_tree_hash_is_found_over_the_records_it_covers()
    {
        var report = await VerifyCopyAsync(db =>
        {
            // Hash 5 of the level-1 tile: the root of records 1280..1535.
            using var command = db.CreateCommand();
            command.CommandText = "UPDATE evidence_tile SET hashes = substr(hashes, 1, 160) || zeroblob(32) || substr(hashes, 193) WHERE tenant_no = 1 AND level = 1 AND tile_index = 0";
            command.ExecuteNonQuery();
        });

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.TreeMismatch));
            Assert.That(report.LeafIndex, Is.EqualTo(1280));
            Assert.That(report.Message, Does.Contain("1280..1535"));
        });
    }

    [Test]
    public async Task Committed_leaf_hashes_cut_from_a_tile_are_found()
    {
        var report = await VerifyCopyAsync(db => Execute(db, "UPDATE evidence_tile SET hashes = substr(hashes, 1, 3200) WHERE tenant_no = 1 AND level = 0 AND tile_index = 7"));

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.TreeMismatch));
            Assert.That(report.LeafIndex, Is.EqualTo((7 * 256) + 100), "the first position whose committed hash is gone");
        });
    }

    [Test]
    public async Task A_tampered_log_refuses_further_writes_until_it_is_verified()
    {
        var directory = CopyTemplate();
        using (var db = template.OpenRaw(Path.Combine(directory, "store.db")))
        {
            Execute(db, "DELETE FROM evidence_tile WHERE tenant_no = 1 AND level = 1");
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
        command.CommandText = $"SELECT leaf FROM evidence_record WHERE id = {Base + index}";

        // Rows hold the compact form; a tamperer with the key can decode it as the store does (and write canonical JSON back, which the store also reads).
        return Encoding.UTF8.GetString(CompactJson.Decode((byte[])command.ExecuteScalar()!));
    }

    private static void UpdateStoredLeaf(SqliteConnection db, long index, Func<byte[], byte[]> change)
    {
        using var read = db.CreateCommand();
        read.CommandText = $"SELECT leaf FROM evidence_record WHERE id = {Base + index}";
        var stored = (byte[])read.ExecuteScalar()!;
        using var command = db.CreateCommand();
        command.CommandText = $"UPDATE evidence_record SET leaf = $leaf WHERE id = {Base + index}";
        command.Parameters.AddWithValue("$leaf", change(stored));
        command.ExecuteNonQuery();
    }

    private static void UpdateLeaf(SqliteConnection db, long index, Func<string, string> change)
    {
        using var command = db.CreateCommand();
        command.CommandText = $"UPDATE evidence_record SET leaf = $leaf WHERE id = {Base + index}";
        command.Parameters.AddWithValue("$leaf", Encoding.UTF8.GetBytes(change(ReadLeaf(db, index))));
        command.ExecuteNonQuery();
    }
}
