namespace ARuntime.Sdk.SqlCipher.Native;

/// <summary>
/// SQLCipher could not be found or loaded, or the loaded SQLite library does not encrypt. The message says what to install.
/// </summary>
public sealed class SqlCipherUnavailableException : SqlCipherStoreException
{
    /// <summary>What to install, appended to every message of this exception.</summary>
    public const string InstallHint =
        "Install SQLCipher: on Debian/Ubuntu `apt-get install libsqlcipher0`, on macOS `brew install sqlcipher`, on Windows put sqlcipher.dll on the PATH; " +
        "or reference a SQLCipher bundle package for SQLitePCLRaw and set SqlCipherStoreOptions.NativeLibrary to HostConfigured; " +
        "or set SqlCipherStoreOptions.NativeLibraryNames to the library's full path.";

    /// <summary>Initializes a new instance.</summary>
    public SqlCipherUnavailableException()
        : base("SQLCipher is not available. " + InstallHint)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What was wrong; the install hint is appended.</param>
    public SqlCipherUnavailableException(string message)
        : base(message + " " + InstallHint)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What was wrong; the install hint is appended.</param>
    /// <param name="innerException">The cause.</param>
    public SqlCipherUnavailableException(string message, Exception? innerException)
        : base(message + " " + InstallHint, innerException)
    {
    }
}
