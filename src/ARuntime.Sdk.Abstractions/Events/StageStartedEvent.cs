using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Events;

/// <summary>A lifecycle stage started.</summary>
public sealed record StageStartedEvent : AgentEvent
{
    /// <summary>Gets the stage.</summary>
    public required LifecycleStage Stage { get; init; }
}
