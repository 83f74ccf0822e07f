namespace ARuntime.Sdk.SqlCipher.Tenants;

/// <summary>
/// A tenant's sealed data cannot be read because its data key is gone: the tenant was erased (crypto-shredded), or the
/// database is opened with a keyring that never held the key.
/// </summary>
public sealed class TenantDataUnavailableException : SqlCipherStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public TenantDataUnavailableException()
        : base("The tenant's data key is not available.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public TenantDataUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TenantDataUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
