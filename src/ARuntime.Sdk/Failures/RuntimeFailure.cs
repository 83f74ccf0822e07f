using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Failures;

/// <summary>A failure the runtime detected during a request: which row of the failure model, where, and what the caller is told.</summary>
public sealed record RuntimeFailure
{
    /// <summary>Gets the failure-model row.</summary>
    public required FailureKind Kind { get; init; }

    /// <summary>Gets the stage that detected it.</summary>
    public required LifecycleStage Stage { get; init; }

    /// <summary>Gets the error reported to the caller.</summary>
    public required AgentError Error { get; init; }

    /// <summary>Gets reason codes for evidence.</summary>
    public IReadOnlyList<string> ReasonCodes { get; init; } = [];
}
