namespace ARuntime.Sdk.Contracts;

/// <summary>
/// How a failed tool call may be retried. Retries happen only for idempotent tools or tools whose operation status can be
/// queried, and always within the request's retry budget.
/// </summary>
public sealed record ToolRetryPolicy
{
    /// <summary>No automatic retries.</summary>
    public static ToolRetryPolicy None { get; } = new();

    /// <summary>Gets the maximum number of attempts, including the first; 1 disables retries.</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>Gets the delay before the first retry; later retries double it.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets whether a timed-out attempt may be retried (only after the status query rules out a completed side effect).</summary>
    public bool RetryOnTimeout { get; init; }
}
