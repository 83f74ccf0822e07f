namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Scores the task outcome: 1 when the request completed with an answer that satisfied its output contract and no caveats,
/// 0.5 when it completed with qualifications, 0 otherwise. Host-defined checks belong in an <see cref="IEvaluator"/> of
/// their own (or in an answer validator, which can ask for a repair).
/// </summary>
public sealed class TaskOutcomeEvaluator : IEvaluator
{
    /// <summary>The metric name.</summary>
    public const string Metric = "task.outcome";

    /// <inheritdoc />
    public string Name => "outcome";

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = context.Result;
        var value = result.Status == AgentRunStatus.Completed ? (result.IsQualified ? 0.5 : 1.0) : 0.0;
        IReadOnlyList<EvaluationScore> scores =
        [
            new EvaluationScore
            {
                Evaluator = Name,
                Metric = Metric,
                Value = value,
                Passed = result.Status == AgentRunStatus.Completed,
                Reason = result.Status == AgentRunStatus.Completed ? null : "status " + result.Status + (result.Error is { } error ? ": " + error.Code : string.Empty),
            },
        ];
        return ValueTask.FromResult(scores);
    }
}
