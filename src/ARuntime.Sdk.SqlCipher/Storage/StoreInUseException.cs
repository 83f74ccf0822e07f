namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// Another store instance (in this or another process) has the database open. One writer owns a database file at a time,
/// because the evidence log's tree state lives in that writer.
/// </summary>
public sealed class StoreInUseException : SqlCipherStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public StoreInUseException()
        : base("The database is in use by another store instance.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public StoreInUseException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StoreInUseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
