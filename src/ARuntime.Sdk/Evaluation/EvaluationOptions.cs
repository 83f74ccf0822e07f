namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Evaluation settings: how long an evaluator may take, and the targets the default cost, latency and safety evaluators
/// score against. A target left unset falls back to the request's budget (then the host's default budget) where one
/// exists; with neither, the metric is reported and passes. See docs/evaluation.md.
/// </summary>
public sealed class EvaluationOptions
{
    /// <summary>
    /// Gets or sets how long one evaluator may run; one that takes longer scores a failure (<c>{name}.error</c>) and the
    /// request goes on. Evaluation runs before the result is returned, so keep model-graded evaluators within this.
    /// </summary>
    public TimeSpan EvaluatorTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the wall-time target of a request (<c>latency.wall_time</c>).</summary>
    public TimeSpan? LatencyTarget { get; set; }

    /// <summary>Gets or sets the time-to-first-token target of a request's first model turn (<c>latency.time_to_first_token</c>).</summary>
    public TimeSpan? TimeToFirstTokenTarget { get; set; }

    /// <summary>Gets or sets the cost target of a request, in the host's price-table currency (<c>cost.total</c>).</summary>
    public decimal? CostTarget { get; set; }

    /// <summary>Gets or sets the token target of a request: prompt plus generated tokens over all turns (<c>cost.tokens</c>).</summary>
    public long? TokenTarget { get; set; }

    /// <summary>Gets or sets how many policy denials a request may have and still pass <c>safety.policy_denials</c>; zero by default.</summary>
    public int MaxPolicyDenials { get; set; }
}
