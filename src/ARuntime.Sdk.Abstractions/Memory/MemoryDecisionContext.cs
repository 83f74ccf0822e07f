using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Memory;

/// <summary>What the memory decision works from.</summary>
public sealed record MemoryDecisionContext
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the request.</summary>
    public required RuntimeRequest Request { get; init; }

    /// <summary>Gets the scope the request's memory policy names.</summary>
    public required MemoryScope Scope { get; init; }

    /// <summary>Gets the request's status.</summary>
    public required AgentRunStatus Status { get; init; }

    /// <summary>Gets the answer, if there is one.</summary>
    public string? Answer { get; init; }

    /// <summary>Gets the classification of the answer.</summary>
    public DataClassification AnswerClassification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;
}
