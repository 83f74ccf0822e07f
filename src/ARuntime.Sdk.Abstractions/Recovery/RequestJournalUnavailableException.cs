namespace ARuntime.Sdk.Recovery;

/// <summary>
/// The request journal could not be read, so <see cref="IAgentRuntime.GetStatusAsync"/> cannot say where a request stands.
/// The journal's own exception is the <see cref="Exception.InnerException"/>; retry once the store recovers.
/// </summary>
public sealed class RequestJournalUnavailableException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public RequestJournalUnavailableException()
        : base("The request journal could not be read.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public RequestJournalUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The journal's exception.</param>
    public RequestJournalUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
