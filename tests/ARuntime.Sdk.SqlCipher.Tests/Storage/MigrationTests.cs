using ARuntime.Sdk.SqlCipher.Migrations;
using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

public sealed class MigrationTests
{
    // The key of the version-3 fixture (Fixtures/SchemaV3; a fixture key, not a secret).
    private const string FixtureKey = "76332d666978747572652d6b65792d666f722d6d6967726174696f6e2d746573";

    [Test]
    public async Task A_database_of_the_previous_schema_version_is_migrated_with_its_data_intact()
    {
        using var fixture = V3Fixture.Copy();
        var expected = fixture.Expected;

        // The export directory holds the checkpoints the version-3 store signed: opening checks the migrated logs against them.
        await using var store = await SqlCipherStore.OpenAsync(fixture.Options(), fixture.Time);
        var t = await store.Evidence.VerifyAsync("t");
        var u = await store.Evidence.VerifyAsync("u");
        var headT = await store.Evidence.GetTreeHeadAsync("t");
        var headU = await store.Evidence.GetTreeHeadAsync("u");
        var proof = await store.Evidence.GetInclusionProofAsync("t", "t-rec-000123");
        var withPayloads = await store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t", RequestId = "req-00000" }).ToListAsync();
        var erased = await store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t", RequestId = "req-00003" }).ToListAsync();
        var memory = await store.Memory.SearchAsync(new MemoryQuery { Scope = MemoryScope.ForActor("t", "a"), Text = "metric" }).ToListAsync();
        var deleted = await store.Memory.GetAsync(MemoryScope.ForActor("t", "a"), expected.GetProperty("t.deletedMemoryId").GetString()!);
        var claim = await store.Idempotency.TryClaimAsync("t", "k-old", "digest", "r2", fixture.Time.GetUtcNow().AddHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(store.SchemaVersion, Is.EqualTo(SchemaMigrations.CurrentVersion));
            Assert.That(t.IsValid, Is.True, t.Message);
            Assert.That(u.IsValid, Is.True, u.Message);
            Assert.That(headT.TreeSize, Is.EqualTo(expected.GetProperty("t.size").GetInt64()));
            Assert.That(Convert.ToHexStringLower(headT.RootHash.Span), Is.EqualTo(expected.GetProperty("t.root").GetString()), "the same root as before the migration");
            Assert.That(Convert.ToHexStringLower(headU.RootHash.Span), Is.EqualTo(expected.GetProperty("u.root").GetString()));
            Assert.That(Convert.ToHexStringLower(proof!.LeafHash.Span), Is.EqualTo(expected.GetProperty("t.leafHash123").GetString()));
            Assert.That(proof.AuditPath.Select(Convert.ToHexStringLower), Is.EqualTo(expected.GetProperty("t.proof123").EnumerateArray().Select(e => e.GetString())), "the same audit path");
            Assert.That(t.PayloadsChecked, Is.EqualTo(59), "29 records with 2 payloads, and the kept memory item's");
            Assert.That(t.PayloadsErased, Is.EqualTo(3), "the redacted record's 2 and the deleted memory item's");
            Assert.That(withPayloads.Single(r => r.RecordId == "t-rec-000010").Payloads.Select(p => p.Content), Is.EqualTo(new[] { "result 10", "args 10" }));
            Assert.That(erased.Single(r => r.RecordId == "t-rec-000050").Flags, Does.Contain(SqlCipherEvidenceFlags.PayloadErased));
            Assert.That(memory.Select(m => m.Id), Is.EqualTo(new[] { expected.GetProperty("t.keptMemoryId").GetString() }));
            Assert.That(deleted, Is.Null);
            Assert.That(claim.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress), "the version-3 claim is still held");
        });

        // The migrated log keeps growing, as an append-only extension of what the version-3 store signed.
        await store.Evidence.WriteAsync(TestStore.Record("t", 9999), EvidenceDurability.Durable);
        var extended = await store.Evidence.CheckAgainstCheckpointAsync(await File.ReadAllTextAsync(Path.Combine(fixture.Directory, "checkpoints", "t.checkpoint")));
        var after = await store.Evidence.VerifyAsync("t");
        Assert.Multiple(() =>
        {
            Assert.That(after.IsValid, Is.True, after.Message);
            Assert.That(after.TreeSize, Is.EqualTo(expected.GetProperty("t.size").GetInt64() + 1));
            Assert.That(MerkleTree.VerifyConsistency(extended.FirstSize, extended.SecondSize, extended.FirstRoot.Span, extended.SecondRoot.Span, extended.Proof), Is.True);
        });

        // Step 5: the request journal of the old store gained the idempotency key column.
        var now = fixture.Time.GetUtcNow();
        await store.Journal.UpsertAsync(new RequestJournalEntry
        {
            TenantId = "t",
            RequestId = "r-after-migration",
            ActorId = "a",
            State = RequestState.Running,
            IdempotencyKey = "k-new",
            StartedAt = now,
            UpdatedAt = now,
        });
        Assert.That((await store.Journal.GetAsync("t", "r-after-migration"))!.IdempotencyKey, Is.EqualTo("k-new"));

        await store.DisposeAsync();
        using var raw = fixture.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name IN ('merkle_node', 'evidence_payload', 'evidence_tree', 'evidence_record_v3')";
        Assert.That(command.ExecuteScalar(), Is.EqualTo(0L), "the version-3 evidence tables are gone");
    }

    [Test]
    public async Task A_log_altered_before_the_migration_is_still_found_altered_after_it()
    {
        using var fixture = V3Fixture.Copy();
        using (var raw = fixture.OpenRaw())
        {
            // Version-3 layout: rewrite record 7's leaf (its committed leaf hash, stored apart, is left as it was).
            using var read = raw.CreateCommand();
            read.CommandText = "SELECT leaf FROM evidence_record WHERE tenant_id = 't' AND leaf_index = 7";
            var leaf = Encoding.UTF8.GetString((byte[])read.ExecuteScalar()!).Replace("route=local", "route=remote", StringComparison.Ordinal);
            using var write = raw.CreateCommand();
            write.CommandText = "UPDATE evidence_record SET leaf = $leaf WHERE tenant_id = 't' AND leaf_index = 7";
            write.Parameters.AddWithValue("$leaf", Encoding.UTF8.GetBytes(leaf));
            write.ExecuteNonQuery();
        }

        await using var store = await SqlCipherStore.OpenAsync(fixture.Options(), fixture.Time);
        var report = await store.Evidence.VerifyAsync("t");

        Assert.Multiple(() =>
        {
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.Modified));
            Assert.That(report.LeafIndex, Is.EqualTo(7));
        });
    }

    [Test]
    public async Task A_database_of_a_newer_schema_is_refused_with_a_typed_error()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        using (var raw = test.OpenRaw())
        {
            using var command = raw.CreateCommand();
            command.CommandText = "PRAGMA user_version = 42";
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<StoreFormatException>(async () => await test.ReopenAsync());
        Assert.That(error!.Message, Does.Contain("version 42").And.Contain("upgrade"));
    }

    [Test]
    public async Task Canonical_rows_of_version_5_and_compact_rows_written_after_the_migration_read_and_verify_together()
    {
        await using var test = await TestStore.OpenAsync(o => o.StoreRawPayloadContent = true);
        var records = Enumerable.Range(0, 100).Select(n => TestStore.Record("t", n, payloads: TestStore.Payload("tool.result", $"result {n}", keepContent: true))).ToList();
        foreach (var record in records.Take(50))
        {
            await test.Store.Evidence.WriteAsync(record, EvidenceDurability.Acknowledged);
        }

        await test.CloseAsync();

        // A version-5 file: the same rows with canonical leaves (what version-5 builds wrote).
        using (var raw = test.OpenRaw())
        {
            var rows = new List<(long Id, byte[] Leaf)>();
            using (var read = raw.CreateCommand())
            {
                read.CommandText = "SELECT id, leaf FROM evidence_record";
                using var reader = read.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add((reader.GetInt64(0), CompactJson.Decode((byte[])reader.GetValue(1))));
                }
            }

            foreach (var (id, leaf) in rows)
            {
                using var write = raw.CreateCommand();
                write.CommandText = "UPDATE evidence_record SET leaf = $leaf WHERE id = $id";
                write.Parameters.AddWithValue("$leaf", leaf);
                write.Parameters.AddWithValue("$id", id);
                write.ExecuteNonQuery();
            }

            using var version = raw.CreateCommand();
            version.CommandText = "DELETE FROM store_meta WHERE name = 'evidence.storage_form'; PRAGMA user_version = 5;";
            version.ExecuteNonQuery();
        }

        await test.ReopenAsync(o => o.StoreRawPayloadContent = true);
        foreach (var record in records.Skip(50))
        {
            await test.Store.Evidence.WriteAsync(record, EvidenceDurability.Acknowledged);
        }

        await test.Store.Evidence.FlushAsync();
        var report = await test.Store.Evidence.VerifyAsync("t");
        var stored = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).ToListAsync();
        var proof = await test.Store.Evidence.GetInclusionProofAsync("t", records[10].RecordId);
        var firstBytes = new List<byte>();
        long schemaVersion;
        using (var raw = test.OpenRaw())
        {
            using var command = raw.CreateCommand();
            command.CommandText = "SELECT leaf FROM evidence_record ORDER BY id";
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    firstBytes.Add(((byte[])reader.GetValue(0))[0]);
                }
            }

            using var version = raw.CreateCommand();
            version.CommandText = "PRAGMA user_version";
            schemaVersion = (long)version.ExecuteScalar()!;
        }

        Assert.Multiple(() =>
        {
            Assert.That(schemaVersion, Is.EqualTo(SchemaMigrations.CurrentVersion));
            Assert.That(firstBytes.Take(50), Is.All.EqualTo((byte)'{'), "version-5 rows stay canonical");
            Assert.That(firstBytes.Skip(50), Is.All.EqualTo(CompactJson.Marker), "new rows are compact");
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.PayloadsChecked, Is.EqualTo(100));
            Assert.That(stored.Select(r => r.RecordId), Is.EquivalentTo(records.Select(r => r.RecordId)));
            Assert.That(stored.Select(r => r.Payloads.Single().Content), Is.EquivalentTo(records.Select(r => r.Payloads.Single().Content)));
            Assert.That(proof!.Leaf.Span[0], Is.EqualTo((byte)'{'), "proofs carry the canonical leaf");
            Assert.That(proof.Verify(), Is.True);
        });
    }

    [Test]
    public async Task Reopening_a_current_database_changes_nothing_in_its_schema()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1), EvidenceDurability.Durable);
        await test.CloseAsync();
        string Schema()
        {
            using var raw = test.OpenRaw();
            using var command = raw.CreateCommand();
            command.CommandText = "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master ORDER BY name)";
            return (string)command.ExecuteScalar()!;
        }

        var before = Schema();
        await test.ReopenAsync();
        await test.CloseAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Schema(), Is.EqualTo(before));
            Assert.That(before, Does.Not.Contain("merkle_node"));
        });
    }

    /// <summary>A private copy of the version-3 fixture database, its keyring and the checkpoints it exported.</summary>
    private sealed class V3Fixture : IDisposable
    {
        private V3Fixture(string directory)
        {
            Directory = directory;
            Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Source, "expected.json"))).RootElement.Clone();
        }

        public string Directory { get; }

        public JsonElement Expected { get; }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

        private static string Source => Path.Combine(TestContext.CurrentContext.TestDirectory, "Storage", "Fixtures", "SchemaV3");

        public static V3Fixture Copy()
        {
            var directory = Path.Combine(Path.GetTempPath(), "aruntime-sqlcipher-tests", Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(Path.Combine(directory, "checkpoints"));
            File.Copy(Path.Combine(Source, "store.sqlcipher"), Path.Combine(directory, "store.db"));
            File.Copy(Path.Combine(Source, "store.keyring"), Path.Combine(directory, "store.db.keyring"));
            foreach (var file in System.IO.Directory.GetFiles(Path.Combine(Source, "checkpoints")))
            {
                File.Copy(file, Path.Combine(directory, "checkpoints", Path.GetFileName(file)));
            }

            return new V3Fixture(directory);
        }

        public SqlCipherStoreOptions Options() => new()
        {
            DatabasePath = Path.Combine(Directory, "store.db"),
            KeyProvider = StoreKeyProvider.FromKey(StoreKey.FromHex(FixtureKey)),
            PurgeInterval = TimeSpan.Zero,
            CheckpointInterval = TimeSpan.Zero,
            StoreRawPayloadContent = true,
            CheckpointExportDirectory = Path.Combine(Directory, "checkpoints"),
        };

        public SqliteConnection OpenRaw()
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(Directory, "store.db"), Pooling = false }.ToString());
            connection.Open();
            using var key = StoreKey.FromHex(FixtureKey);
            SqlCipherConnectionFactory.ApplyKey(connection, key);
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA cipher_page_size = 4096; PRAGMA kdf_iter = 256000;";
            command.ExecuteNonQuery();
            return connection;
        }

        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }
}
