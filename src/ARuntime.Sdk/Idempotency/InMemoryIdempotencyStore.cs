namespace ARuntime.Sdk.Idempotency;

/// <summary>A volatile idempotency store (the default): keys are kept in memory until they expire.</summary>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    private readonly Dictionary<(string Tenant, string Key), Entry> entries = [];
    private readonly Lock gate = new();
    private readonly TimeProvider timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeProvider">The time provider (expiry).</param>
    public InMemoryIdempotencyStore(TimeProvider timeProvider)
    {
        this.timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public ValueTask<IdempotencyClaim> TryClaimAsync(string tenantId, string key, string requestDigest, string requestId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        lock (gate)
        {
            if (entries.TryGetValue((tenantId, key), out var entry) && entry.ExpiresAt > now)
            {
                var status = !string.Equals(entry.Digest, requestDigest, StringComparison.Ordinal)
                    ? IdempotencyClaimStatus.Conflict
                    : entry.Result is null ? IdempotencyClaimStatus.InProgress : IdempotencyClaimStatus.Completed;
                return ValueTask.FromResult(new IdempotencyClaim { Status = status, OriginalRequestId = entry.RequestId, Result = status == IdempotencyClaimStatus.Completed ? entry.Result : null });
            }

            entries[(tenantId, key)] = new Entry(requestDigest, requestId, expiresAt) { Result = null };
            return ValueTask.FromResult(new IdempotencyClaim { Status = IdempotencyClaimStatus.Claimed, OriginalRequestId = requestId });
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string tenantId, string key, AgentResult result, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (entries.TryGetValue((tenantId, key), out var entry))
            {
                entry.Result = result;
            }
        }

        return ValueTask.CompletedTask;
    }

    private sealed record Entry(string Digest, string RequestId, DateTimeOffset ExpiresAt)
    {
        public AgentResult? Result { get; set; }
    }
}
