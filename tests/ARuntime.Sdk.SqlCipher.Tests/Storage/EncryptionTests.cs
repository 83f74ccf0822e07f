using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Native;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tests.Approvals;
using ARuntime.Sdk.SqlCipher.Tests.Memory;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

public sealed class EncryptionTests
{
    private const string KnownText = "Zebra-Quartz-7391 confidential plan";

    [Test]
    public async Task Encryption_is_verified_by_reading_the_settings_back()
    {
        await using var test = await TestStore.OpenAsync();
        var library = test.Store.Library;

        Assert.Multiple(() =>
        {
            Assert.That(library.Encrypted, Is.True);
            Assert.That(library.CipherVersion, Is.Not.Null.And.Not.Empty);
            Assert.That(library.Cipher, Does.StartWith("AES-256"));
            Assert.That(SqlCipherConnectionFactory.StartsWithPlaintextHeader(test.DatabasePath), Is.False);
        });
    }

    [Test]
    public async Task No_plaintext_of_a_known_record_or_memory_item_is_in_the_database_file_or_its_WAL()
    {
        await using var test = await TestStore.OpenAsync(o => o.StoreRawPayloadContent = true);
        for (var i = 0; i < 50; i++)
        {
            await test.Store.Evidence.WriteAsync(
                TestStore.Record("tenant-known", i, payloads: TestStore.Payload("prompt", KnownText, keepContent: true)) with { Decision = KnownText },
                EvidenceDurability.Durable);
        }

        await test.Store.Memory.RetainAsync(new MemoryWrite
        {
            Scope = MemoryScope.ForActor("tenant-known", "actor-1"),
            Content = KnownText,
            Provenance = new MemoryProvenance { SourceType = "user.statement" },
        });

        // While the store is open the newest pages are in the WAL; read both files as they are on disk.
        var wal = test.DatabasePath + "-wal";
        Assert.That(File.Exists(wal), Is.True, "the WAL exists while the store is open");
        var walBytes = ReadShared(wal);
        var dbBytes = ReadShared(test.DatabasePath);
        await test.CloseAsync();
        var closedBytes = File.ReadAllBytes(test.DatabasePath);

        var needles = new[] { KnownText, "tenant-known", "tenant-known-rec-000001", "memory.retained", "aruntime-evidence-leaf" };
        Assert.Multiple(() =>
        {
            Assert.That(walBytes.Length, Is.GreaterThan(0));
            foreach (var needle in needles)
            {
                foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
                {
                    var pattern = encoding.GetBytes(needle);
                    Assert.That(Contains(walBytes, pattern), Is.False, $"'{needle}' in the WAL");
                    Assert.That(Contains(dbBytes, pattern), Is.False, $"'{needle}' in the database");
                    Assert.That(Contains(closedBytes, pattern), Is.False, $"'{needle}' in the closed database");
                }
            }

            Assert.That(Encoding.ASCII.GetString(closedBytes, 0, 15), Is.Not.EqualTo("SQLite format 3"));
        });
    }

    [Test]
    public async Task A_wrong_key_gives_a_typed_error_and_changes_nothing_on_disk()
    {
        await using var test = await TestStore.OpenAsync();
        await test.WriteManyAsync("t", 20);
        await test.CloseAsync();
        var before = SHA256.HashData(File.ReadAllBytes(test.DatabasePath));
        var filesBefore = Directory.GetFiles(test.Directory).Select(Path.GetFileName).Order().ToArray();

        using var wrong = StoreKey.Generate();
        var error = await Assert.ThrowsAsync<StoreKeyException>(async () =>
            await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.KeyProvider = StoreKeyProvider.FromKey(wrong)), test.Time));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain(test.DatabasePath).And.Contain("Nothing was changed"));
            Assert.That(error.Message, Does.Not.Contain(wrong.ToHexString()).And.Not.Contain(test.Key.ToHexString()), "no key material in messages");
            Assert.That(SHA256.HashData(File.ReadAllBytes(test.DatabasePath)), Is.EqualTo(before));
            Assert.That(Directory.GetFiles(test.Directory).Select(Path.GetFileName).Order().ToArray(), Is.EqualTo(filesBefore), "no WAL or other file appeared");
        });

        await test.ReopenAsync();
        Assert.That((await test.Store.Evidence.VerifyAsync("t")).IsValid, Is.True);
    }

    [Test]
    public async Task Rekey_re_encrypts_the_database_so_only_the_new_key_opens_it()
    {
        await using var test = await TestStore.OpenAsync();
        await test.WriteManyAsync("t", 30);
        using var newKey = StoreKey.Generate();

        await test.Store.RekeyAsync(newKey);

        // The open store keeps working (readers reopen under the new key).
        await test.WriteManyAsync("t", 5, start: 100);
        Assert.That(await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).CountAsync(), Is.EqualTo(35));
        await test.CloseAsync();

        Assert.That(async () => await SqlCipherStore.OpenAsync(test.CreateOptions(), test.Time), Throws.TypeOf<StoreKeyException>(), "the old key no longer opens it");
        await using var reopened = await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.KeyProvider = StoreKeyProvider.FromKey(newKey)), test.Time);
        var report = await reopened.Evidence.VerifyAsync("t");
        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.TreeSize, Is.EqualTo(35));
        });
    }

    [Test]
    public async Task A_plaintext_SQLite_file_is_refused_as_not_encrypted()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        var foreign = Path.Combine(test.Directory, "plain.db");
        CreatePlaintextDatabase(foreign);

        var error = await Assert.ThrowsAsync<StoreFormatException>(async () => await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.DatabasePath = foreign), test.Time));
        Assert.That(error!.Message, Does.Contain("unencrypted"));
    }

    [Test]
    public async Task A_store_written_in_plaintext_development_mode_is_refused_when_opened_with_a_key_and_is_left_unchanged()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        var path = Path.Combine(test.Directory, "dev.db");
        await using (var dev = await SqlCipherStore.OpenAsync(new SqlCipherStoreOptions { DatabasePath = path, AllowPlaintextForDevelopment = true, PurgeInterval = TimeSpan.Zero }, test.Time))
        {
            await dev.Evidence.WriteAsync(TestStore.Record("t", 1), EvidenceDurability.Durable);
        }

        var before = SHA256.HashData(File.ReadAllBytes(path));

        var error = await Assert.ThrowsAsync<StoreFormatException>(async () => await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.DatabasePath = path), test.Time));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain(path).And.Contain("unencrypted SQLite database"));
            Assert.That(error.Message, Does.Contain(nameof(SqlCipherStoreOptions.AllowPlaintextForDevelopment)), "it names the option that wrote the file");
            Assert.That(SqlCipherConnectionFactory.StartsWithPlaintextHeader(path), Is.True);
            Assert.That(SHA256.HashData(File.ReadAllBytes(path)), Is.EqualTo(before), "the key was not applied to the plaintext file");
        });
    }

    [Test]
    public async Task A_keyed_store_whose_file_starts_with_the_plaintext_header_is_refused_with_what_to_install()
    {
        await using var test = await TestStore.OpenAsync();
        var plain = Path.Combine(test.Directory, "plain.db");
        CreatePlaintextDatabase(plain);
        var library = (test.Store.Library.Source, test.Store.Library.LibraryName);

        using var keyedOnPlain = new SqlCipherConnectionFactory(test.CreateOptions(o => o.DatabasePath = plain), StoreKey.Generate(), "test", library);
        using var keyedOnEncrypted = new SqlCipherConnectionFactory(test.CreateOptions(), StoreKey.Generate(), "test", library);
        using var unkeyedOnPlain = new SqlCipherConnectionFactory(test.CreateOptions(o => o.DatabasePath = plain), null, "plaintext development mode", library);

        var error = Assert.Throws<SqlCipherUnavailableException>(keyedOnPlain.VerifyFileIsEncrypted);
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Encryption is not active").And.Contain(plain).And.Contain("plaintext SQLite header"));
            AssertInstallHint(error.Message);
            Assert.That(keyedOnEncrypted.VerifyFileIsEncrypted, Throws.Nothing, "the store's own encrypted file passes");
            Assert.That(unkeyedOnPlain.VerifyFileIsEncrypted, Throws.Nothing, "a plaintext file is expected in development mode");
        });
    }

    [TestCase("PRAGMA kdf_iter = 64000", "kdf_iter is 64000, expected 256000")]
    [TestCase("PRAGMA cipher_page_size = 1024", "cipher_page_size is 1024, expected 4096")]
    [TestCase("PRAGMA cipher_use_hmac = OFF", "cipher_use_hmac is off, expected on")]
    [TestCase("PRAGMA cipher = 'aes-128-cbc'", "expected AES-256")]
    public async Task Cipher_settings_read_back_other_than_expected_are_refused_with_what_to_install(string setting, string problem)
    {
        await using var test = await TestStore.OpenAsync();
        var library = (test.Store.Library.Source, test.Store.Library.LibraryName);
        using var factory = new SqlCipherConnectionFactory(test.CreateOptions(), StoreKey.Generate(), "test", library);

        // A connection with the store's settings passes; one with a single setting changed is refused.
        using (var expected = test.OpenRaw(Path.Combine(test.Directory, "expected.db")))
        {
            Assert.That(factory.Verify(expected).Encrypted, Is.True);
        }

        using var changed = test.OpenRaw(Path.Combine(test.Directory, "changed.db"));
        changed.Execute(setting);
        var error = Assert.Throws<SqlCipherUnavailableException>(() => factory.Verify(changed));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("does not report the expected encryption settings").And.Contain(problem));
            AssertInstallHint(error.Message);
        });
    }

    [Test]
    public async Task A_corrupted_or_foreign_file_gives_a_typed_error()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        var garbage = Path.Combine(test.Directory, "garbage.db");
        File.WriteAllBytes(garbage, RandomNumberGenerator.GetBytes(16384));
        var text = Path.Combine(test.Directory, "text.db");
        File.WriteAllText(text, "this is not a database at all, just some text that is long enough to look like a page" + new string('x', 5000));

        Assert.Multiple(() =>
        {
            Assert.That(async () => await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.DatabasePath = garbage), test.Time), Throws.InstanceOf<SqlCipherStoreException>());
            Assert.That(async () => await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.DatabasePath = text), test.Time), Throws.InstanceOf<SqlCipherStoreException>());
        });
    }

    [Test]
    public async Task An_encrypted_SQLite_database_of_another_application_is_refused()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        var other = Path.Combine(test.Directory, "other-app.db");
        using (var connection = test.OpenRaw(other))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers(name TEXT);";
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<StoreFormatException>(async () => await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.DatabasePath = other), test.Time));
        Assert.That(error!.Message, Does.Contain("not an ARuntime store"));
    }

    [Test]
    public async Task A_second_store_on_the_same_file_is_refused_while_the_first_is_open()
    {
        await using var test = await TestStore.OpenAsync();

        Assert.That(async () => await SqlCipherStore.OpenAsync(test.CreateOptions(), test.Time), Throws.TypeOf<StoreInUseException>());
    }

    [Test]
    public async Task Plaintext_storage_needs_the_explicit_development_option_and_every_record_says_so()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        var path = Path.Combine(test.Directory, "dev.db");

        Assert.That(
            async () => await SqlCipherStore.OpenAsync(new SqlCipherStoreOptions { DatabasePath = path }, test.Time),
            Throws.TypeOf<ArgumentException>().With.Message.Contains("KeyProvider is required"));

        await using var dev = await SqlCipherStore.OpenAsync(new SqlCipherStoreOptions { DatabasePath = path, AllowPlaintextForDevelopment = true, PurgeInterval = TimeSpan.Zero }, test.Time);
        await dev.Evidence.WriteAsync(TestStore.Record("t", 1), EvidenceDurability.Durable);
        var record = await dev.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).SingleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(dev.Library.Encrypted, Is.False);
            Assert.That(record.Flags, Does.Contain(SqlCipherEvidenceFlags.PlaintextStorage));
            Assert.That(SqlCipherConnectionFactory.StartsWithPlaintextHeader(path), Is.True);
        });
    }

    [Test]
    public async Task The_key_never_appears_in_the_database_or_in_evidence()
    {
        // Every plane holds data (raw payload content kept, so the sealed payload column is filled), one tenant is erased
        // (tenant_key row) and a checkpoint is signed, so every table the store writes has rows to search.
        await using var test = await TestStore.OpenAsync(o => o.StoreRawPayloadContent = true);
        var now = test.Time.GetUtcNow();
        foreach (var tenant in new[] { "tenant-a", "tenant-b" })
        {
            for (var i = 0; i < 5; i++)
            {
                await test.Store.Evidence.WriteAsync(TestStore.Record(tenant, i, payloads: TestStore.Payload("prompt", $"{tenant} prompt {i}", keepContent: true)), EvidenceDurability.Durable);
            }

            await MemoryStoreTests.Retain(test, MemoryScope.ForActor(tenant, "alice"), $"{tenant} remembers the launch date");
            await test.Store.Idempotency.TryClaimAsync(tenant, "key-1", "digest", "req-1", now.AddHours(1));
            await test.Store.Operations.TryStartAsync(tenant, "op-1", "send", "req-1");
            await test.Store.Approvals.SaveAsync(ApprovalStoreTests.Paused(tenant, "ap-1", now));
            await test.Store.Journal.UpsertAsync(new RequestJournalEntry { TenantId = tenant, RequestId = "req-1", ActorId = "alice", State = RequestState.Running, StartedAt = now, UpdatedAt = now });
        }

        await test.Store.Evidence.CreateCheckpointAsync("tenant-a");
        await test.Store.EraseTenantAsync("tenant-b", "offboarding");
        await test.Store.Evidence.WriteAsync(TestStore.Record("tenant-a", 100), EvidenceDurability.Durable);

        var hex = test.Key.ToHexString();
        var needles = KeyNeedles(hex);
        var records = new List<EvidenceRecord>();
        foreach (var tenant in new[] { "tenant-a", "tenant-b" })
        {
            records.AddRange(await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = tenant }).ToListAsync());
        }

        var evidenceJson = JsonSerializer.Serialize<IReadOnlyList<EvidenceRecord>>(records, ARuntimeJsonContext.Default.IReadOnlyListEvidenceRecord);

        // Every file of the store as it is on disk while open (the database, its WAL and shared memory, the keyring; the
        // lock file is locked) and, below, once closed.
        var wal = test.DatabasePath + "-wal";
        Assert.That(File.Exists(wal), Is.True, "the WAL exists while the store is open");
        var files = Directory.GetFiles(test.Directory).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToDictionary(f => Path.GetFileName(f), ReadShared);

        // Every value of every table, read through a keyed connection (as anyone holding the key could).
        var tables = new List<string>();
        var values = new List<(string Where, byte[] Value)>();
        using (var raw = test.OpenRaw())
        {
            using (var command = raw.CreateCommand())
            {
                command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            foreach (var table in tables)
            {
                values.AddRange(ReadEveryValue(raw, table));
            }
        }

        await test.CloseAsync();
        foreach (var file in Directory.GetFiles(test.Directory))
        {
            files[Path.GetFileName(file) + " (closed)"] = File.ReadAllBytes(file);
        }

        Assert.Multiple(() =>
        {
            Assert.That(tables, Is.SupersetOf(new[] { "store_secret", "tenant_key", "evidence_log", "evidence_record", "evidence_tile", "evidence_checkpoint", "memory_item", "memory_history", "memory_fts", "idempotency_key", "tool_operation", "paused_request", "request_journal" }));
            Assert.That(values.Select(v => v.Where.Split('.')[0]).Distinct(), Is.SupersetOf(new[] { "store_secret", "tenant_key", "evidence_record", "memory_item", "paused_request" }), "the tables hold rows to search");
            Assert.That(records.Count(r => r.Payloads.Any(p => p.Content is not null)), Is.EqualTo(5), "tenant A's raw payloads are read back");
            Assert.That(files.Keys, Does.Contain("store.db-wal").And.Contain("store.db.keyring"));
            foreach (var (name, pattern) in needles)
            {
                foreach (var (where, value) in values)
                {
                    Assert.That(Contains(value, pattern), Is.False, $"the key ({name}) in {where}");
                }

                foreach (var (file, bytes) in files)
                {
                    Assert.That(Contains(bytes, pattern), Is.False, $"the key ({name}) in the file {file}");
                }

                Assert.That(Contains(Encoding.UTF8.GetBytes(evidenceJson), pattern), Is.False, $"the key ({name}) in an evidence record");
            }

            Assert.That(evidenceJson.Contains(hex, StringComparison.OrdinalIgnoreCase), Is.False, "the key's hex (any case) in an evidence record");
        });
    }

    /// <summary>The database key in every form it could be stored in: its raw bytes, hexadecimal (either case, UTF-8 or UTF-16) and base64.</summary>
    private static List<(string Name, byte[] Pattern)> KeyNeedles(string hex)
    {
        var needles = new List<(string, byte[])> { ("raw bytes", Convert.FromHexString(hex)), ("base64", Encoding.ASCII.GetBytes(Convert.ToBase64String(Convert.FromHexString(hex)))) };
        foreach (var (name, text) in new[] { ("lowercase hex", hex.ToLowerInvariant()), ("uppercase hex", hex.ToUpperInvariant()) })
        {
            needles.Add((name, Encoding.UTF8.GetBytes(text)));
            needles.Add((name + " UTF-16", Encoding.Unicode.GetBytes(text)));
        }

        return needles;
    }

    /// <summary>Every non-null value of a table as its stored bytes (text and blobs as they are, numbers as text).</summary>
    private static List<(string Where, byte[] Value)> ReadEveryValue(SqliteConnection connection, string table)
    {
        var columns = new List<string>();
        using (var info = connection.CreateCommand())
        {
            info.CommandText = $"PRAGMA table_info(\"{table}\")";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(reader.GetString(1));
            }
        }

        var values = new List<(string, byte[])>();
        if (columns.Count == 0)
        {
            return values;
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(c => $"CAST(\"{c}\" AS BLOB)"))} FROM \"{table}\"";
        using (var rows = command.ExecuteReader())
        {
            var row = 0;
            while (rows.Read())
            {
                for (var i = 0; i < columns.Count; i++)
                {
                    if (!rows.IsDBNull(i))
                    {
                        values.Add(($"{table}.{columns[i]} (row {row})", (byte[])rows.GetValue(i)));
                    }
                }

                row++;
            }
        }

        return values;
    }

    private static void CreatePlaintextDatabase(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('hello');";
        command.ExecuteNonQuery();
    }

    private static void AssertInstallHint(string message) =>
        Assert.That(message, Does.Contain("apt-get install libsqlcipher0").And.Contain("brew install sqlcipher").And.Contain("SQLCipher bundle package"), "the message says what to install");

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
