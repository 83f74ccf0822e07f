using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Events;

/// <summary>Policy decided about a proposed tool call.</summary>
public sealed record PolicyDecisionEvent : AgentEvent
{
    /// <summary>Gets the call id.</summary>
    public required string CallId { get; init; }

    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the outcome.</summary>
    public required PolicyOutcome Outcome { get; init; }

    /// <summary>Gets the reason codes.</summary>
    public IReadOnlyList<string> ReasonCodes { get; init => field = value ?? []; } = [];
}
