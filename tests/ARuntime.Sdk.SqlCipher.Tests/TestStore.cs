using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.SqlCipher.Tests;

/// <summary>A real SQLCipher store in a fresh temporary directory, driven by a fake clock.</summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly Action<SqlCipherStoreOptions>? configure;

    private TestStore(string directory, StoreKey key, FakeTimeProvider time, Action<SqlCipherStoreOptions>? configure)
    {
        Directory = directory;
        Key = key;
        Time = time;
        this.configure = configure;
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "store.db");

    public StoreKey Key { get; }

    public FakeTimeProvider Time { get; }

    public SqlCipherStore Store { get; private set; } = null!;

    public SqlCipherStoreOptions Options { get; private set; } = null!;

    public static async Task<TestStore> OpenAsync(Action<SqlCipherStoreOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "aruntime-sqlcipher-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var store = new TestStore(directory, StoreKey.Generate(), new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 9, 30, 0, TimeSpan.Zero)), configure);
        await store.ReopenAsync();
        return store;
    }

    /// <summary>Points a runtime's store at <c>store.db</c> in <paramref name="directory"/>, keyed by <c>store.key</c> there (created on first use).</summary>
    public static void InDirectory(SqlCipherStoreOptions options, string directory)
    {
        options.DatabasePath = Path.Combine(directory, "store.db");
        options.KeyProvider = StoreKeyProvider.FromFile(Path.Combine(directory, "store.key"), createIfMissing: true);
    }

    public SqlCipherStoreOptions CreateOptions(Action<SqlCipherStoreOptions>? extra = null)
    {
        var options = new SqlCipherStoreOptions
        {
            DatabasePath = DatabasePath,
            KeyProvider = StoreKeyProvider.FromKey(Key),
            PurgeInterval = TimeSpan.Zero,
            CheckpointInterval = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        extra?.Invoke(options);
        return options;
    }

    public async Task ReopenAsync(Action<SqlCipherStoreOptions>? extra = null)
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        Options = CreateOptions(extra);
        Store = await SqlCipherStore.OpenAsync(Options, Time);
    }

    public async Task CloseAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
            Store = null!;
        }
    }

    /// <summary>Opens a raw keyed connection, as an attacker holding the key would (or a test tampering with the file).</summary>
    public SqliteConnection OpenRaw(string? path = null)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path ?? DatabasePath, Pooling = false }.ToString());
        connection.Open();
        SqlCipherConnectionFactory.ApplyKey(connection, Key);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA cipher_page_size = 4096; PRAGMA kdf_iter = 256000;";
        command.ExecuteNonQuery();
        return connection;
    }

    public static EvidenceRecord Record(string tenantId, int n, string? requestId = null, string kind = "stage", LifecycleStage stage = LifecycleStage.Inference, DateTimeOffset? timestamp = null, params PayloadDigest[] payloads) => new()
    {
        RecordId = $"{tenantId}-rec-{n:D6}",
        RequestId = requestId ?? $"req-{n / 16:D5}",
        TenantId = tenantId,
        Sequence = (n % 16) + 1,
        Stage = stage,
        Kind = kind,
        Outcome = StageOutcome.Completed,
        Decision = "route=local",
        Timestamp = timestamp ?? new DateTimeOffset(2026, 1, 15, 9, 30, 0, TimeSpan.Zero).AddMilliseconds(n),
        Duration = TimeSpan.FromMilliseconds(n % 97),
        ActorId = "actor-1",
        CorrelationId = $"corr-{n / 16:D5}",
        Attributes = new Dictionary<string, string> { ["tokens.prompt"] = "12", ["n"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Payloads = payloads,
    };

    public static PayloadDigest Payload(string name, string content, bool keepContent = false)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        return new PayloadDigest
        {
            Name = name,
            Digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
            Length = bytes.Length,
            Content = keepContent ? content : null,
        };
    }

    public async Task WriteManyAsync(string tenantId, int count, int start = 0)
    {
        const int Window = 512;
        var pending = new List<Task>(Window);
        for (var i = start; i < start + count; i++)
        {
            pending.Add(Store.Evidence.WriteAsync(Record(tenantId, i), EvidenceDurability.Durable).AsTask());
            if (pending.Count == Window)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        Key.Dispose();
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
