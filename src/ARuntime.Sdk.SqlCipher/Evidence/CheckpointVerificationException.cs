namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>A checkpoint is malformed, or no trusted key signed it.</summary>
public sealed class CheckpointVerificationException : SqlCipherStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public CheckpointVerificationException()
        : base("The checkpoint could not be verified.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public CheckpointVerificationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CheckpointVerificationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
