namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// A volatile idempotency store (the default): keys are kept in memory until they expire, and expired keys are swept as new
/// ones are claimed. Register a durable store (for example <c>UseSqlCipherStore</c>) so keys survive a restart.
/// </summary>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    private const int SweepInterval = 256;
    private readonly Dictionary<(string Tenant, string Key), Entry> entries = [];
    private readonly Lock gate = new();
    private readonly TimeProvider timeProvider;
    private int claimsSinceSweep;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeProvider">The time provider (expiry).</param>
    public InMemoryIdempotencyStore(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        this.timeProvider = timeProvider;
    }

    /// <summary>Gets the number of keys held, expired ones not yet swept included.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IdempotencyClaim> TryClaimAsync(string tenantId, string key, string requestDigest, string requestId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(requestDigest);
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        var now = timeProvider.GetUtcNow();
        lock (gate)
        {
            if (++claimsSinceSweep >= SweepInterval)
            {
                Sweep(now);
            }

            if (entries.TryGetValue((tenantId, key), out var entry) && entry.ExpiresAt > now)
            {
                var status = !string.Equals(entry.Digest, requestDigest, StringComparison.Ordinal)
                    ? IdempotencyClaimStatus.Conflict
                    : entry.Result is null ? IdempotencyClaimStatus.InProgress : IdempotencyClaimStatus.Completed;
                return ValueTask.FromResult(new IdempotencyClaim { Status = status, OriginalRequestId = entry.RequestId, Result = status == IdempotencyClaimStatus.Completed ? entry.Result : null });
            }

            entries[(tenantId, key)] = new Entry(requestDigest, requestId, expiresAt);
            return ValueTask.FromResult(new IdempotencyClaim { Status = IdempotencyClaimStatus.Claimed, OriginalRequestId = requestId });
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string tenantId, string key, AgentResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (gate)
        {
            // Only the request holding the key answers for it: a request that outlived its claim (paused longer than the
            // key's retention) must not overwrite the result of the retry that claimed the key after it.
            if (entries.TryGetValue((tenantId, key), out var entry) && string.Equals(entry.RequestId, result.RequestId, StringComparison.Ordinal))
            {
                entry.Result = result;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string tenantId, string key, string requestId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var released = entries.TryGetValue((tenantId, key), out var entry)
                && entry.Result is null
                && string.Equals(entry.RequestId, requestId, StringComparison.Ordinal)
                && entries.Remove((tenantId, key));
            return ValueTask.FromResult(released);
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        claimsSinceSweep = 0;
        List<(string, string)>? expired = null;
        foreach (var (id, entry) in entries)
        {
            if (entry.ExpiresAt <= now)
            {
                (expired ??= []).Add(id);
            }
        }

        if (expired is not null)
        {
            foreach (var id in expired)
            {
                entries.Remove(id);
            }
        }
    }

    private sealed record Entry(string Digest, string RequestId, DateTimeOffset ExpiresAt)
    {
        public AgentResult? Result { get; set; }
    }
}
