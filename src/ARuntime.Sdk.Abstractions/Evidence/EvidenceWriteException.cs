namespace ARuntime.Sdk.Evidence;

/// <summary>An evidence record could not be written or made durable.</summary>
public class EvidenceWriteException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public EvidenceWriteException()
        : base("The evidence record could not be written.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public EvidenceWriteException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EvidenceWriteException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
