using ARuntime.Sdk.Contracts;

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

    /// <summary>
    /// Gets records this sink acknowledged earlier (<see cref="EvidenceDurability.Acknowledged"/>) but could not write, handed
    /// back to the caller so that they are not lost: the runtime keeps them in its bounded evidence backlog, writes them when
    /// the sink recovers and records the gap. Empty for most failures; a sink that buffers acknowledged writes internally
    /// reports them from its next <see cref="IEvidenceSink.FlushAsync"/>.
    /// </summary>
    public IReadOnlyList<EvidenceRecord> UnwrittenRecords { get; init => field = value ?? []; } = [];
}
