namespace ARuntime.Sdk.Events;

/// <summary>The last event of a stream: the request's result.</summary>
public sealed record RunCompletedEvent : AgentEvent
{
    /// <summary>Gets the result.</summary>
    public required AgentResult Result { get; init; }
}
