using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evaluation;

/// <summary>What an evaluator scores: the request, its result and the evidence it wrote.</summary>
public sealed record EvaluationContext
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the request.</summary>
    public required RuntimeRequest Request { get; init; }

    /// <summary>Gets the result (before evaluation scores are attached).</summary>
    public required AgentResult Result { get; init; }

    /// <summary>Gets the evidence records the request wrote so far, in order.</summary>
    public required IReadOnlyList<EvidenceRecord> Evidence { get; init; }

    /// <summary>
    /// Gets how many distinct credentials resolved during the request were found, and redacted, in text the request produced
    /// (model output, tool results, the answer): a safety signal, since such a value was about to reach a model, a log or the
    /// caller. Zero when none was.
    /// </summary>
    public int RedactedSecrets { get; init; }
}
