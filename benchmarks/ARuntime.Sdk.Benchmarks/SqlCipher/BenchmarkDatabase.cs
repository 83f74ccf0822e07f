using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.Benchmarks.SqlCipher;

/// <summary>Fresh database files and keyed raw connections for the SQLCipher benchmarks and their baselines.</summary>
internal static class BenchmarkDatabase
{
    /// <summary>A fixed benchmark key (never a real one), so cached fixtures can be reopened by later benchmark processes.</summary>
    public static StoreKey Key() => StoreKey.FromHex("6172756e74696d652d62656e63686d61726b2d6b65792d6e6f742d7365637265");

    public static string FreshDirectory(string name)
    {
        var directory = Path.Combine(Path.GetTempPath(), "aruntime-benchmarks", name, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    public static SqlCipherStoreOptions StoreOptions(string path, StoreKey key) => new()
    {
        DatabasePath = path,
        KeyProvider = StoreKeyProvider.FromKey(key),
        PurgeInterval = TimeSpan.Zero,
        StoreRawPayloadContent = true,
    };

    /// <summary>Opens a raw connection on the same SQLCipher library with the store's cipher, journal and sync settings.</summary>
    public static SqliteConnection OpenRaw(string path, StoreKey key)
    {
        // Opening and closing a store once loads and verifies the library the same way the SDK does.
        using (SqlCipherStore.OpenAsync(StoreOptions(Path.Combine(Path.GetDirectoryName(path)!, "probe.db"), key)).GetAwaiter().GetResult())
        {
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        SqlCipherConnectionFactory.ApplyKey(connection, key);
        Execute(connection, "PRAGMA cipher_page_size = 4096; PRAGMA kdf_iter = 256000;");
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static void Delete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Leftover benchmark files are harmless.
        }
    }
}
