namespace ARuntime.Sdk.Idempotency;

/// <summary>The outcome of claiming a request idempotency key.</summary>
public sealed record IdempotencyClaim
{
    /// <summary>Gets the outcome.</summary>
    public required IdempotencyClaimStatus Status { get; init; }

    /// <summary>Gets the id of the request that first used the key.</summary>
    public required string OriginalRequestId { get; init; }

    /// <summary>Gets the original result, for <see cref="IdempotencyClaimStatus.Completed"/>.</summary>
    public AgentResult? Result { get; init; }
}
