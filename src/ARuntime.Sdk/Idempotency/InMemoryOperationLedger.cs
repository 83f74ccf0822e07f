using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// A volatile operation ledger (the default): deduplicates tool operations within the process for
/// <see cref="IdempotencyOptions.OperationRetention"/>. Register a durable ledger (for example <c>UseSqlCipherStore</c>) so
/// an irreversible operation is never repeated across a crash and restart.
/// </summary>
public sealed class InMemoryOperationLedger : IOperationLedger
{
    private const int SweepInterval = 256;
    private readonly Dictionary<(string Tenant, string Key), Entry> operations = [];
    private readonly Lock gate = new();
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan retention;
    private int startsSinceSweep;

    /// <summary>Initializes a new instance that keeps operations for seven days on the system clock.</summary>
    public InMemoryOperationLedger()
        : this(TimeProvider.System, TimeSpan.FromDays(7))
    {
    }

    /// <summary>Initializes a new instance with the runtime's retention.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="options">The runtime options (<see cref="IdempotencyOptions.OperationRetention"/>).</param>
    public InMemoryOperationLedger(TimeProvider timeProvider, IOptions<ARuntimeOptions> options)
        : this(timeProvider, options?.Value.Idempotency.OperationRetention ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="retention">How long an operation is kept.</param>
    public InMemoryOperationLedger(TimeProvider timeProvider, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        this.timeProvider = timeProvider;
        this.retention = retention;
    }

    /// <summary>Gets the number of operations held, expired ones not yet swept included.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return operations.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<OperationClaim> TryStartAsync(string tenantId, string operationKey, string toolName, string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(operationKey);
        var now = timeProvider.GetUtcNow();
        lock (gate)
        {
            if (++startsSinceSweep >= SweepInterval)
            {
                Sweep(now);
            }

            if (operations.TryGetValue((tenantId, operationKey), out var existing) && existing.ExpiresAt > now)
            {
                return ValueTask.FromResult(existing.Result is { } result
                    ? new OperationClaim { Status = OperationClaimStatus.Completed, Result = result, StartedByRequestId = existing.RequestId }
                    : new OperationClaim { Status = OperationClaimStatus.InDoubt, StartedByRequestId = existing.RequestId });
            }

            operations[(tenantId, operationKey)] = new Entry(requestId, null, SafeTime.Add(now, retention));
            return ValueTask.FromResult(new OperationClaim { Status = OperationClaimStatus.Started, StartedByRequestId = requestId });
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string tenantId, string operationKey, ToolResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var now = timeProvider.GetUtcNow();
        lock (gate)
        {
            var requestId = operations.TryGetValue((tenantId, operationKey), out var existing) ? existing.RequestId : string.Empty;
            operations[(tenantId, operationKey)] = new Entry(requestId, result, SafeTime.Add(now, retention));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> AbandonAsync(string tenantId, string operationKey, string startedByRequestId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            // Compare-and-set: only the start that startedByRequestId made, and only without a result.
            var abandoned = operations.TryGetValue((tenantId, operationKey), out var existing)
                && existing.Result is null
                && string.Equals(existing.RequestId, startedByRequestId, StringComparison.Ordinal)
                && operations.Remove((tenantId, operationKey));
            return ValueTask.FromResult(abandoned);
        }
    }

    /// <inheritdoc />
    public ValueTask AbandonAsync(string tenantId, string operationKey, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            // Only an operation without a recorded result can be forgotten: a completed one must never run again.
            if (operations.TryGetValue((tenantId, operationKey), out var existing) && existing.Result is null)
            {
                operations.Remove((tenantId, operationKey));
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        startsSinceSweep = 0;
        List<(string, string)>? expired = null;
        foreach (var (id, entry) in operations)
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
                operations.Remove(id);
            }
        }
    }

    private sealed record Entry(string RequestId, ToolResult? Result, DateTimeOffset ExpiresAt);
}
