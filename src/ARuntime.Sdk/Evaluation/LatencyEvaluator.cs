using System.Globalization;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Scores how long a request took, in seconds. <c>latency.wall_time</c> is the wall time from admission to result (time
/// paused for approval excluded), against <see cref="EvaluationOptions.LatencyTarget"/> (else the request's, then the host's
/// wall-time budget); <c>latency.time_to_first_token</c> is the engine-reported time to the first token of the request's
/// first successful model turn, against <see cref="EvaluationOptions.TimeToFirstTokenTarget"/>, and is reported only when a
/// model turn completed. Without a target a metric is reported and passes.
/// </summary>
public sealed class LatencyEvaluator : IEvaluator
{
    /// <summary>The wall-time metric name.</summary>
    public const string WallTimeMetric = "latency.wall_time";

    /// <summary>The time-to-first-token metric name.</summary>
    public const string TimeToFirstTokenMetric = "latency.time_to_first_token";

    private readonly EvaluationOptions options;
    private readonly BudgetOptions? hostBudget;

    /// <summary>Initializes an evaluator without targets.</summary>
    public LatencyEvaluator()
        : this(new EvaluationOptions())
    {
    }

    /// <summary>Initializes an evaluator with the given targets.</summary>
    /// <param name="options">The targets.</param>
    public LatencyEvaluator(EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
    }

    /// <summary>Initializes an evaluator with the runtime's evaluation options and default budget (dependency injection).</summary>
    /// <param name="options">The runtime options.</param>
    public LatencyEvaluator(IOptions<ARuntimeOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.Evaluation)
    {
        hostBudget = options.Value.Budgets;
    }

    /// <inheritdoc />
    public string Name => "latency";

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scores = new List<EvaluationScore>(2)
        {
            Score(WallTimeMetric, context.Result.Usage.WallTime, options.LatencyTarget ?? context.Request.Budget?.MaxWallTime ?? hostBudget?.MaxWallTime),
        };
        if (FirstTokenTime(context) is { } firstToken)
        {
            scores.Add(Score(TimeToFirstTokenMetric, firstToken, options.TimeToFirstTokenTarget));
        }

        return ValueTask.FromResult<IReadOnlyList<EvaluationScore>>(scores);
    }

    private static TimeSpan? FirstTokenTime(EvaluationContext context)
    {
        foreach (var record in context.Evidence)
        {
            // The inference stage records the engine's time to first token with every attempt that returned a result.
            if (record.Kind == EvidenceKinds.InferenceAttempt && record.Outcome == StageOutcome.Completed && record.RequestId == context.RequestId
                && record.Attributes.TryGetValue("ttft.ms", out var text)
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }

        return null;
    }

    private EvaluationScore Score(string metric, TimeSpan value, TimeSpan? target) => new()
    {
        Evaluator = Name,
        Metric = metric,
        Value = value.TotalSeconds,
        Passed = target is not { } t || value <= t,
        Reason = target is { } limit && value > limit
            ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.###} s exceeds the target {limit.TotalSeconds:0.###} s")
            : null,
    };
}
