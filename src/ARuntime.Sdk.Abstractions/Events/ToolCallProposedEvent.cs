namespace ARuntime.Sdk.Events;

/// <summary>The model proposed a tool call and it was parsed into a typed call.</summary>
public sealed record ToolCallProposedEvent : AgentEvent
{
    /// <summary>Gets the call id.</summary>
    public required string CallId { get; init; }

    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets whether the proposal satisfied the tool's input schema.</summary>
    public required bool Valid { get; init; }
}
