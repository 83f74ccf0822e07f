namespace ARuntime.Sdk.SqlCipher.Keys;

/// <summary>
/// The database key could not be obtained or does not open the database. The message names the key's source (a file
/// path, an environment variable or a secret reference), never the key.
/// </summary>
public sealed class StoreKeyException : SqlCipherStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public StoreKeyException()
        : base("The database key could not be obtained.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public StoreKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StoreKeyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
