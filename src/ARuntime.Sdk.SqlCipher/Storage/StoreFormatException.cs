namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// The file is not a database this store can open: a plaintext SQLite file where an encrypted one is expected (or the
/// reverse), a SQLite database of another application, a corrupted file, or a schema newer than this build supports.
/// </summary>
public sealed class StoreFormatException : SqlCipherStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public StoreFormatException()
        : base("The file is not an ARuntime SQLCipher store.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public StoreFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StoreFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
