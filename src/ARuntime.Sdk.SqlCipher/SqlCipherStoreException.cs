namespace ARuntime.Sdk.SqlCipher;

/// <summary>
/// The base of every error the SQLCipher store raises about its database: the native library, the key, the file, the
/// schema or the evidence log. Messages name what is wrong and what to do; they never contain key material.
/// </summary>
public class SqlCipherStoreException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SqlCipherStoreException()
        : base("The SQLCipher store failed.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public SqlCipherStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SqlCipherStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
