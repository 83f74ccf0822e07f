using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk;

/// <summary>What one lifecycle stage did over the whole request (the tool-loop stages may run several times).</summary>
public sealed record StageSummary
{
    /// <summary>Gets the stage.</summary>
    public required LifecycleStage Stage { get; init; }

    /// <summary>Gets the outcome of the stage's last execution.</summary>
    public required StageOutcome Outcome { get; init; }

    /// <summary>Gets the total time spent in the stage.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Gets how many times the stage ran.</summary>
    public int Executions { get; init; } = 1;
}
