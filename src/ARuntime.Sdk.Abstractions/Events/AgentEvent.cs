using System.Text.Json.Serialization;

namespace ARuntime.Sdk.Events;

/// <summary>
/// A progress event streamed by <see cref="IAgentRuntime.RunStreamingAsync"/>. Concrete event types are sealed records;
/// they serialize with a <c>type</c> discriminator.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(StageStartedEvent), "stage.started")]
[JsonDerivedType(typeof(StageCompletedEvent), "stage.completed")]
[JsonDerivedType(typeof(TextDeltaEvent), "text.delta")]
[JsonDerivedType(typeof(ToolCallProposedEvent), "tool.proposed")]
[JsonDerivedType(typeof(PolicyDecisionEvent), "policy.decision")]
[JsonDerivedType(typeof(ToolCallCompletedEvent), "tool.completed")]
[JsonDerivedType(typeof(ApprovalRequiredEvent), "approval.required")]
[JsonDerivedType(typeof(RunCompletedEvent), "run.completed")]
public abstract record AgentEvent
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets when the event happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
