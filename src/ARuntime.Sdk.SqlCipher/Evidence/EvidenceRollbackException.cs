namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The database's evidence log is behind a checkpoint the host kept outside it: fewer records than the checkpoint, or a
/// different root at the checkpoint's size. The file was rolled back to an older copy or its history was rewritten.
/// </summary>
public sealed class EvidenceRollbackException : SqlCipherStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public EvidenceRollbackException()
        : base("The evidence log is behind a trusted checkpoint.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public EvidenceRollbackException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EvidenceRollbackException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the tenant whose log is behind.</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets the checkpoint's tree size.</summary>
    public long CheckpointTreeSize { get; init; }

    /// <summary>Gets the database's tree size.</summary>
    public long DatabaseTreeSize { get; init; }
}
