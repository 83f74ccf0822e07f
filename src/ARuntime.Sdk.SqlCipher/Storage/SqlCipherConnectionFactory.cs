using System.Globalization;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Native;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// Opens keyed connections to one database and checks that encryption is really active by reading the settings back,
/// because SQLite silently ignores pragmas it does not know (a plain SQLite library would "accept" PRAGMA key and write
/// plaintext).
/// </summary>
internal sealed class SqlCipherConnectionFactory : IDisposable
{
    private const int SqliteNotADatabase = 26;
    private const int SqliteCorrupt = 11;

    private static readonly byte[] PlaintextHeader = "SQLite format 3\0"u8.ToArray();

    private readonly string connectionString;
    private readonly SqlCipherStoreOptions options;
    private readonly string keySource;
    private readonly (string Source, string Name) library;
    private StoreKey? key;

    public SqlCipherConnectionFactory(SqlCipherStoreOptions options, StoreKey? key, string keySource, (string Source, string Name) library)
    {
        this.options = options;
        this.key = key;
        this.keySource = keySource;
        this.library = library;
        DatabasePath = Path.GetFullPath(options.DatabasePath);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public bool Encrypted => key is not null;

    /// <summary>Opens a connection: key, cipher settings, a read that proves the key, then the journal and safety pragmas.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            if (key is not null)
            {
                ApplyKey(connection, key);
                connection.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA cipher_page_size = {options.CipherPageSize}; PRAGMA kdf_iter = {options.KdfIterations};"));
            }

            ProveReadable(connection);
            ApplyPragmas(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Proves the key against an existing file through a read-only connection, before anything opens it for writing. A
    /// read-write connection that fails to read still checkpoints a non-empty write-ahead log into the file when it closes
    /// (SQLite 3.15 has no way to turn that off); a read-only one cannot, so a wrong key leaves the database and its WAL
    /// exactly as they were.
    /// </summary>
    public void ProveKeyReadOnly()
    {
        if (key is null || !File.Exists(DatabasePath) || new FileInfo(DatabasePath).Length == 0)
        {
            return;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        ApplyKey(connection, key);
        connection.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA cipher_page_size = {options.CipherPageSize}; PRAGMA kdf_iter = {options.KdfIterations};"));
        ProveReadable(connection);
    }

    /// <summary>Opens a keyed connection to another (new) file with the same cipher settings, for backups.</summary>
    public SqliteConnection OpenFresh(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            if (key is not null)
            {
                ApplyKey(connection, key);
                connection.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA cipher_page_size = {options.CipherPageSize}; PRAGMA kdf_iter = {options.KdfIterations};"));
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads the cipher settings back and refuses when they are not the expected ones.</summary>
    public SqlCipherLibraryInfo Verify(SqliteConnection connection)
    {
        var sqliteVersion = connection.ScalarText("SELECT sqlite_version()") ?? "unknown";
        var cipherVersion = TryPragma(connection, "cipher_version");
        if (key is null)
        {
            return new SqlCipherLibraryInfo
            {
                Source = library.Source,
                LibraryName = library.Name,
                SqliteVersion = sqliteVersion,
                CipherVersion = cipherVersion,
                Encrypted = false,
            };
        }

        if (string.IsNullOrEmpty(cipherVersion))
        {
            throw new SqlCipherUnavailableException(
                $"The SQLite library '{library.Name}' ({library.Source}, SQLite {sqliteVersion}) is not SQLCipher: PRAGMA cipher_version gave no answer, so PRAGMA key was ignored and the database would be written in plaintext.");
        }

        var pageSize = TryPragma(connection, "cipher_page_size");
        var kdfIter = TryPragma(connection, "kdf_iter");
        var cipher = TryPragma(connection, "cipher");
        var useHmac = TryPragma(connection, "cipher_use_hmac");
        var hmacAlgorithm = TryPragma(connection, "cipher_hmac_algorithm");
        var provider = TryPragma(connection, "cipher_provider");

        var problems = new List<string>();
        if (pageSize != options.CipherPageSize.ToString(CultureInfo.InvariantCulture))
        {
            problems.Add($"cipher_page_size is {pageSize ?? "unanswered"}, expected {options.CipherPageSize}");
        }

        if (kdfIter != options.KdfIterations.ToString(CultureInfo.InvariantCulture))
        {
            problems.Add($"kdf_iter is {kdfIter ?? "unanswered"}, expected {options.KdfIterations}");
        }

        // SQLCipher 3 answers PRAGMA cipher; SQLCipher 4 dropped it (AES-256-CBC is its only cipher).
        if (cipher is not null && !cipher.StartsWith("AES-256", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"cipher is {cipher}, expected AES-256");
        }

        if (useHmac is not null && useHmac != "1")
        {
            problems.Add("cipher_use_hmac is off, expected on (page authentication)");
        }

        if (hmacAlgorithm is not null && !hmacAlgorithm.StartsWith("HMAC_SHA", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"cipher_hmac_algorithm is {hmacAlgorithm}, expected HMAC_SHA*");
        }

        if (problems.Count > 0)
        {
            throw new SqlCipherUnavailableException(
                $"SQLCipher {cipherVersion} in '{library.Name}' does not report the expected encryption settings ({string.Join("; ", problems)}).");
        }

        return new SqlCipherLibraryInfo
        {
            Source = library.Source,
            LibraryName = library.Name,
            SqliteVersion = sqliteVersion,
            CipherVersion = cipherVersion,
            Cipher = cipher ?? "AES-256-CBC",
            CipherProvider = provider,
            Encrypted = true,
        };
    }

    /// <summary>Refuses when the file on disk starts with the plaintext SQLite header although it should be encrypted.</summary>
    public void VerifyFileIsEncrypted()
    {
        if (key is null || !File.Exists(DatabasePath))
        {
            return;
        }

        if (StartsWithPlaintextHeader(DatabasePath))
        {
            throw new SqlCipherUnavailableException(
                $"Encryption is not active: {DatabasePath} starts with the plaintext SQLite header although the store keyed it.");
        }
    }

    /// <summary>Replaces the key used for new connections (after <c>PRAGMA rekey</c>).</summary>
    public void ReplaceKey(StoreKey newKey)
    {
        var old = key;
        key = newKey;
        old?.Dispose();
    }

    public static void ApplyKey(SqliteConnection connection, StoreKey key, bool rekey = false)
    {
        Span<byte> literal = stackalloc byte[StoreKey.HexLength + 3];
        try
        {
            var length = key.WriteRawKeyLiteral(literal);
            int rc;
            try
            {
                rc = rekey ? raw.sqlite3_rekey(connection.Handle, literal[..length]) : raw.sqlite3_key(connection.Handle, literal[..length]);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or NullReferenceException or NotImplementedException or NotSupportedException)
            {
                throw new SqlCipherUnavailableException("The loaded SQLite library has no sqlite3_key entry point: it is not SQLCipher.", ex);
            }

            if (rc != 0)
            {
                throw new SqlCipherUnavailableException($"SQLCipher refused the key (sqlite3_{(rekey ? "rekey" : "key")} returned {rc}).");
            }
        }
        finally
        {
            literal.Clear();
        }
    }

    public void Dispose() => key?.Dispose();

    internal static bool StartsWithPlaintextHeader(string path)
    {
        Span<byte> header = stackalloc byte[16];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        return read == header.Length && header.SequenceEqual(PlaintextHeader);
    }

    private static string? TryPragma(SqliteConnection connection, string pragma)
    {
        try
        {
            return connection.ScalarText("PRAGMA " + pragma);
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    private void ProveReadable(SqliteConnection connection)
    {
        try
        {
            connection.Scalar("SELECT count(*) FROM sqlite_master");
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            var plaintext = File.Exists(DatabasePath) && StartsWithPlaintextHeader(DatabasePath);
            if (key is not null && plaintext)
            {
                throw new StoreFormatException(
                    $"{DatabasePath} is an unencrypted SQLite database; this store expects a SQLCipher-encrypted one (plaintext storage is only for development: SqlCipherStoreOptions.AllowPlaintextForDevelopment).", ex);
            }

            if (key is not null && ex.SqliteErrorCode == SqliteNotADatabase)
            {
                throw new StoreKeyException(
                    $"The database key from {keySource} does not open {DatabasePath}: the key is wrong, or the file is not a SQLCipher database. Nothing was changed.", ex);
            }

            throw new StoreFormatException(
                key is null
                    ? $"{DatabasePath} is not a plaintext SQLite database (it may be encrypted; open it with its key) or it is corrupted."
                    : $"{DatabasePath} is corrupted or not a database.",
                ex);
        }
    }

    private void ApplyPragmas(SqliteConnection connection)
    {
        var journal = connection.ScalarText("PRAGMA journal_mode = WAL");
        if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlCipherStoreException($"The database could not switch to WAL journaling (journal_mode is {journal}).");
        }

        connection.Execute(
            $"PRAGMA synchronous = {(options.FullSync ? "FULL" : "NORMAL")}; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;");

        // Deletion guarantees rest on secure_delete (freed pages are overwritten), and temp_store=MEMORY keeps sorts and
        // temporary tables out of unencrypted temp files; read both back rather than trusting the pragmas.
        if (connection.ScalarInt64("PRAGMA secure_delete") != 1)
        {
            throw new SqlCipherStoreException("The SQLite library did not enable secure_delete; deleted content could remain in the file.");
        }

        if (connection.ScalarInt64("PRAGMA temp_store") != 2)
        {
            throw new SqlCipherStoreException("The SQLite library did not keep temporary storage in memory (temp_store).");
        }
    }
}
