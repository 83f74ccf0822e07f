using System.Globalization;
using ARuntime.Sdk.Budgets;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Scores what a request cost. <c>cost.total</c> is the cost in the host's price-table currency, against
/// <see cref="EvaluationOptions.CostTarget"/> (else the request's, then the host's cost budget); <c>cost.tokens</c> is prompt
/// plus generated tokens over all turns, against <see cref="EvaluationOptions.TokenTarget"/>. Without a target a metric is
/// reported and passes.
/// </summary>
public sealed class CostEvaluator : IEvaluator
{
    /// <summary>The cost metric name.</summary>
    public const string TotalMetric = "cost.total";

    /// <summary>The token metric name.</summary>
    public const string TokensMetric = "cost.tokens";

    private readonly EvaluationOptions options;
    private readonly BudgetOptions? hostBudget;

    /// <summary>Initializes an evaluator without targets.</summary>
    public CostEvaluator()
        : this(new EvaluationOptions())
    {
    }

    /// <summary>Initializes an evaluator with the given targets.</summary>
    /// <param name="options">The targets.</param>
    public CostEvaluator(EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
    }

    /// <summary>Initializes an evaluator with the runtime's evaluation options and default budget (dependency injection).</summary>
    /// <param name="options">The runtime options.</param>
    public CostEvaluator(IOptions<ARuntimeOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.Evaluation)
    {
        hostBudget = options.Value.Budgets;
    }

    /// <inheritdoc />
    public string Name => "cost";

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var usage = context.Result.Usage;
        var costTarget = options.CostTarget ?? context.Request.Budget?.MaxCost ?? hostBudget?.MaxCost;
        var tokens = usage.PromptTokens + usage.GeneratedTokens;
        var tokenTarget = options.TokenTarget;
        IReadOnlyList<EvaluationScore> scores =
        [
            new EvaluationScore
            {
                Evaluator = Name,
                Metric = TotalMetric,
                Value = (double)usage.Cost,
                Passed = costTarget is not { } c || usage.Cost <= c,
                Reason = costTarget is { } over && usage.Cost > over
                    ? string.Create(CultureInfo.InvariantCulture, $"cost {usage.Cost} exceeds the target {over}")
                    : null,
            },
            new EvaluationScore
            {
                Evaluator = Name,
                Metric = TokensMetric,
                Value = tokens,
                Passed = tokenTarget is not { } t || tokens <= t,
                Reason = tokenTarget is { } limit && tokens > limit
                    ? string.Create(CultureInfo.InvariantCulture, $"{tokens} tokens exceed the target {limit}")
                    : null,
            },
        ];
        return ValueTask.FromResult(scores);
    }
}
