namespace ARuntime.Sdk.SqlCipher.Native;

/// <summary>Which SQLite library the store runs on, as read back from the library itself.</summary>
public sealed record SqlCipherLibraryInfo
{
    /// <summary>Gets where the library came from: <c>host-configured</c> or <c>system</c>.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the library name or path that was loaded (for a host-configured provider, the name it reports).</summary>
    public required string LibraryName { get; init; }

    /// <summary>Gets the SQLite version (<c>sqlite_version()</c>).</summary>
    public required string SqliteVersion { get; init; }

    /// <summary>Gets the SQLCipher version (<c>PRAGMA cipher_version</c>), or <see langword="null"/> when the library does not encrypt.</summary>
    public string? CipherVersion { get; init; }

    /// <summary>Gets the cipher, when the library reports it (for example <c>AES-256-CBC</c>).</summary>
    public string? Cipher { get; init; }

    /// <summary>Gets the crypto provider, when the library reports it (for example <c>openssl</c>).</summary>
    public string? CipherProvider { get; init; }

    /// <summary>Gets whether the database is encrypted (false only in the explicit plaintext development mode).</summary>
    public required bool Encrypted { get; init; }
}
