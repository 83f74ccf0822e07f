namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// Bounds the write queue without a lock on the fast path: a slot is taken with one compare-and-swap; only a writer that
/// finds the queue full waits, on a signal the writer loop raises when it has dequeued operations. (A bounded channel
/// takes a lock per write and per read; with four writers and the loop that lock was a sixth of the store's CPU time.)
/// </summary>
internal sealed class QueueCapacity(int capacity)
{
    private readonly Lock gate = new();
    private int count;
    private TaskCompletionSource? spaceFreed;

    /// <summary>Takes a slot, waiting while the queue is full.</summary>
    public async ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        while (!TryTake())
        {
            Task freed;
            lock (gate)
            {
                spaceFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                freed = spaceFreed.Task;
            }

            // Pairs with the full fence of Release: either this read sees the freed slots, or Release sees the signal.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref count) < capacity)
            {
                continue;
            }

            await freed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns slots (after operations left the queue, or when a taken slot was not used).</summary>
    public void Release(int slots)
    {
        Interlocked.Add(ref count, -slots);
        if (Volatile.Read(ref spaceFreed) is null)
        {
            return;
        }

        TaskCompletionSource? freed;
        lock (gate)
        {
            freed = spaceFreed;
            spaceFreed = null;
        }

        freed?.TrySetResult();
    }

    private bool TryTake()
    {
        var current = Volatile.Read(ref count);
        while (current < capacity)
        {
            var seen = Interlocked.CompareExchange(ref count, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }
}
