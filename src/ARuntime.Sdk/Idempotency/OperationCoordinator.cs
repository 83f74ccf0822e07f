using System.Collections.Concurrent;

namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// Serializes executions of one operation key within the process. The operation ledger already guarantees that a second
/// claim of a started operation never runs it; this coordinator makes a concurrent duplicate wait for the first execution
/// and then reuse its recorded result, instead of failing as "in doubt" while the first is still running.
/// </summary>
internal sealed class OperationCoordinator
{
    private readonly ConcurrentDictionary<(string Tenant, string Key), TaskCompletionSource> inFlight = new();

    /// <summary>Gets the number of operations executing now.</summary>
    public int InFlight => inFlight.Count;

    /// <summary>
    /// Takes the operation's lease, or returns the task that completes when the current holder releases it.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="operationKey">The operation key.</param>
    /// <param name="released">Completes when the current holder releases the lease; <see langword="null"/> when the lease was taken.</param>
    /// <returns>The lease, or <see langword="null"/> when another execution holds it.</returns>
    public Lease? TryAcquire(string tenantId, string operationKey, out Task? released)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = inFlight.GetOrAdd((tenantId, operationKey), mine);
        if (ReferenceEquals(holder, mine))
        {
            released = null;
            return new Lease(this, (tenantId, operationKey), mine);
        }

        released = holder.Task;
        return null;
    }

    /// <summary>The right to execute one operation key in this process; dispose to release it.</summary>
    internal sealed class Lease : IDisposable
    {
        private readonly OperationCoordinator owner;
        private readonly (string Tenant, string Key) id;
        private readonly TaskCompletionSource signal;
        private int disposed;

        public Lease(OperationCoordinator owner, (string Tenant, string Key) id, TaskCompletionSource signal)
        {
            this.owner = owner;
            this.id = id;
            this.signal = signal;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.inFlight.TryRemove(new KeyValuePair<(string, string), TaskCompletionSource>(id, signal));
                signal.TrySetResult();
            }
        }
    }
}
