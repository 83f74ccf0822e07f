namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Scores the task outcome. <c>task.outcome</c> is 1 when the request completed with an answer that satisfied its output
/// contract and no caveats, 0.5 when it completed with qualifications, 0 otherwise — scaled by the share of host checks
/// (<see cref="TaskOutcomeCheck"/>) that passed; it passes only when the request completed and every check passed. Each check
/// is also scored on its own as <c>task.check.{name}</c> (1 or 0).
/// </summary>
public sealed class TaskOutcomeEvaluator : IEvaluator
{
    /// <summary>The metric name.</summary>
    public const string Metric = "task.outcome";

    /// <summary>The prefix of the per-check metric names.</summary>
    public const string CheckMetricPrefix = "task.check.";

    private readonly TaskOutcomeCheck[] checks;

    /// <summary>Initializes an evaluator without host checks.</summary>
    public TaskOutcomeEvaluator()
        : this([])
    {
    }

    /// <summary>Initializes an evaluator with host checks (dependency injection passes every registered <see cref="TaskOutcomeCheck"/>).</summary>
    /// <param name="checks">The checks.</param>
    public TaskOutcomeEvaluator(IEnumerable<TaskOutcomeCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        this.checks = [.. checks];
    }

    /// <inheritdoc />
    public string Name => "outcome";

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = context.Result;
        var completed = result.Status == AgentRunStatus.Completed;
        var scores = new List<EvaluationScore>(checks.Length + 2);
        var failedChecks = new List<string>();
        var total = checks.Length;

        // The output contract is a check of its own: a completed request with a contract must carry a structured answer.
        if (context.Request.Output is not null && completed)
        {
            total++;
            var satisfied = result.StructuredAnswer is not null;
            scores.Add(CheckScore("output_contract", satisfied, satisfied ? null : "the answer does not carry a structured value satisfying the output contract"));
            if (!satisfied)
            {
                failedChecks.Add("output_contract");
            }
        }

        foreach (var check in checks)
        {
            bool passed;
            string? reason = null;
            try
            {
                passed = check.Check(context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                passed = false;
                reason = "check failed with " + ex.GetType().Name;
            }

            scores.Add(CheckScore(check.Name, passed, passed ? null : reason ?? check.FailureReason ?? "check did not pass"));
            if (!passed)
            {
                failedChecks.Add(check.Name);
            }
        }

        var statusValue = completed ? (result.IsQualified ? 0.5 : 1.0) : 0.0;
        var value = total == 0 ? statusValue : statusValue * (total - failedChecks.Count) / total;
        string? why = null;
        if (!completed)
        {
            why = "status " + result.Status + (result.Error is { } error ? ": " + error.Code : string.Empty);
        }
        else if (failedChecks.Count > 0)
        {
            why = "failed checks: " + string.Join(", ", failedChecks);
        }

        scores.Insert(0, new EvaluationScore { Evaluator = Name, Metric = Metric, Value = value, Passed = completed && failedChecks.Count == 0, Reason = why });
        return ValueTask.FromResult<IReadOnlyList<EvaluationScore>>(scores);
    }

    private EvaluationScore CheckScore(string name, bool passed, string? reason) =>
        new() { Evaluator = Name, Metric = CheckMetricPrefix + name, Value = passed ? 1 : 0, Passed = passed, Reason = reason };
}
