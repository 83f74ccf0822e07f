using System.Collections.Concurrent;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// The writer's queue: many producers, one consumer (the writer loop), bounded by <see cref="QueueCapacity"/>, without a
/// lock on the write path. A channel (bounded or unbounded) takes a lock on every write; with four evidence writers and
/// the loop contending for it, that lock was a sixth of the store's CPU time. The loop is woken only when it waits.
/// </summary>
internal sealed class WriteQueue(int capacity) : IDisposable
{
    private readonly ConcurrentQueue<WriteOperation> items = new();
    private readonly QueueCapacity slots = new(capacity);
    private readonly SemaphoreSlim readerSignal = new(0);
    private int readerWaiting;
    private int activeWriters;
    private int completed;

    /// <summary>Gets the number of queued operations.</summary>
    public int Count => items.Count;

    /// <summary>Queues an operation, waiting while the queue is full.</summary>
    /// <exception cref="ObjectDisposedException">The queue was completed (the store is closing).</exception>
    public ValueTask WriteAsync(WriteOperation operation, CancellationToken cancellationToken)
    {
        var taken = slots.TakeAsync(cancellationToken);
        if (!taken.IsCompletedSuccessfully)
        {
            return WriteSlowAsync(taken, operation);
        }

        Enqueue(operation);
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits until an operation is queued; false once the queue is completed and empty.</summary>
    public async ValueTask<bool> WaitToReadAsync()
    {
        while (true)
        {
            if (!items.IsEmpty)
            {
                return true;
            }

            if (Volatile.Read(ref completed) != 0)
            {
                // Let writers that passed the completion check finish enqueuing, then report what is left.
                var spin = default(SpinWait);
                while (Volatile.Read(ref activeWriters) != 0)
                {
                    spin.SpinOnce();
                }

                return !items.IsEmpty;
            }

            Volatile.Write(ref readerWaiting, 1);
            Interlocked.MemoryBarrier();
            if (!items.IsEmpty || Volatile.Read(ref completed) != 0)
            {
                Volatile.Write(ref readerWaiting, 0);
                continue;
            }

            await readerSignal.WaitAsync().ConfigureAwait(false);
        }
    }

    public bool TryPeek(out WriteOperation operation) => items.TryPeek(out operation!);

    /// <summary>Takes the next operation; its slot stays taken until <see cref="Release"/>.</summary>
    public bool TryRead(out WriteOperation operation) => items.TryDequeue(out operation!);

    /// <summary>Frees the slots of operations that left the queue.</summary>
    public void Release(int count) => slots.Release(count);

    /// <summary>Refuses further writes; the reader drains what is queued, then <see cref="WaitToReadAsync"/> returns false.</summary>
    public void Complete()
    {
        Interlocked.Exchange(ref completed, 1);
        readerSignal.Release();
    }

    /// <summary>Releases the reader's signal (after the reader finished).</summary>
    public void Dispose() => readerSignal.Dispose();

    private async ValueTask WriteSlowAsync(ValueTask taken, WriteOperation operation)
    {
        await taken.ConfigureAwait(false);
        Enqueue(operation);
    }

    private void Enqueue(WriteOperation operation)
    {
        Interlocked.Increment(ref activeWriters);
        try
        {
            if (Volatile.Read(ref completed) != 0)
            {
                slots.Release(1);
                throw new ObjectDisposedException("The SQLCipher store is closed.");
            }

            items.Enqueue(operation);
        }
        finally
        {
            Interlocked.Decrement(ref activeWriters);
        }

        if (Volatile.Read(ref readerWaiting) != 0 && Interlocked.Exchange(ref readerWaiting, 0) != 0)
        {
            readerSignal.Release();
        }
    }
}
