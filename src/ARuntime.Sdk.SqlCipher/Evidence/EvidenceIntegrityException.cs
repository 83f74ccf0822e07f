namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>A tenant's evidence log does not add up (a node is missing, a root does not match); it was altered outside the store. Run <see cref="SqlCipherEvidenceStore.VerifyAsync"/> to locate the change.</summary>
public sealed class EvidenceIntegrityException : SqlCipherStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public EvidenceIntegrityException()
        : base("The evidence log does not verify.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public EvidenceIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EvidenceIntegrityException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
