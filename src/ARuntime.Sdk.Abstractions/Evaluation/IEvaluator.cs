namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Scores a finished request at the evaluation stage (task outcome, safety, cost, latency, evidence completeness, or a
/// host-defined quality measure). Scores go to evidence and metrics.
/// </summary>
public interface IEvaluator
{
    /// <summary>Gets the evaluator's name (the score's <see cref="EvaluationScore.Evaluator"/>).</summary>
    string Name { get; }

    /// <summary>Scores a request.</summary>
    /// <param name="context">The request, its result and its evidence.</param>
    /// <param name="cancellationToken">Cancels scoring.</param>
    /// <returns>The scores (one or more metrics).</returns>
    ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default);
}
