using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Events;

/// <summary>A lifecycle stage ended.</summary>
public sealed record StageCompletedEvent : AgentEvent
{
    /// <summary>Gets the stage.</summary>
    public required LifecycleStage Stage { get; init; }

    /// <summary>Gets how the stage ended.</summary>
    public required StageOutcome Outcome { get; init; }

    /// <summary>Gets how long the stage took.</summary>
    public required TimeSpan Duration { get; init; }
}
