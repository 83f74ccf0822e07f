namespace ARuntime.Sdk.Evaluation;

/// <summary>One evaluation metric of a request.</summary>
public sealed record EvaluationScore
{
    /// <summary>Gets the evaluator that produced the score.</summary>
    public required string Evaluator { get; init; }

    /// <summary>Gets the metric (for example <c>task.outcome</c>, <c>evidence.completeness</c>).</summary>
    public required string Metric { get; init; }

    /// <summary>Gets the value (conventionally 0 to 1 for scores; raw units for cost and latency).</summary>
    public required double Value { get; init; }

    /// <summary>Gets whether the request passed this metric.</summary>
    public required bool Passed { get; init; }

    /// <summary>Gets why, when it did not pass (no sensitive content).</summary>
    public string? Reason { get; init; }
}
