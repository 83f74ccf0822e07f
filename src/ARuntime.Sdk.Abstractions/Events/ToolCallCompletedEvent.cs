namespace ARuntime.Sdk.Events;

/// <summary>A tool call ended.</summary>
public sealed record ToolCallCompletedEvent : AgentEvent
{
    /// <summary>Gets the call id.</summary>
    public required string CallId { get; init; }

    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the outcome.</summary>
    public required ToolCallOutcome Outcome { get; init; }

    /// <summary>Gets how long the call took.</summary>
    public TimeSpan Duration { get; init; }
}
