using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Admission;

/// <summary>
/// The host-wide admission limit: at most <see cref="AdmissionOptions.MaxConcurrentRequests"/> requests run at once and at
/// most <see cref="AdmissionOptions.MaxQueuedRequests"/> wait; beyond that a request is refused as overloaded at once, so
/// the queue can never grow without bound.
/// </summary>
internal sealed class RequestLimiter : IDisposable
{
    private readonly SemaphoreSlim running;
    private readonly int maxQueued;
    private readonly List<(int Count, TaskCompletionSource Signal)> queueWaiters = [];
    private int queued;

    public RequestLimiter(IOptions<ARuntimeOptions> options)
    {
        var admission = options.Value.Admission;
        running = new SemaphoreSlim(admission.MaxConcurrentRequests, admission.MaxConcurrentRequests);
        maxQueued = admission.MaxQueuedRequests;
    }

    /// <summary>Gets the number of requests waiting for a slot.</summary>
    public int Queued => Volatile.Read(ref queued);

    /// <summary>Takes a slot, waiting in the bounded queue; returns null when the queue is full.</summary>
    public async ValueTask<IDisposable?> TryEnterAsync(CancellationToken cancellationToken)
    {
        if (running.Wait(0, CancellationToken.None))
        {
            return new Slot(running);
        }

        var position = Interlocked.Increment(ref queued);
        if (position > maxQueued)
        {
            Interlocked.Decrement(ref queued);
            return null;
        }

        SignalQueued(position);

        try
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Slot(running);
        }
        finally
        {
            Interlocked.Decrement(ref queued);
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> requests wait for a slot (lets tests order events without sleeping).</summary>
    internal Task WhenQueuedAsync(int count)
    {
        lock (queueWaiters)
        {
            if (Queued >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            queueWaiters.Add((count, signal));
            return signal.Task;
        }
    }

    private void SignalQueued(int position)
    {
        lock (queueWaiters)
        {
            for (var i = queueWaiters.Count - 1; i >= 0; i--)
            {
                if (position >= queueWaiters[i].Count)
                {
                    queueWaiters[i].Signal.TrySetResult();
                    queueWaiters.RemoveAt(i);
                }
            }
        }
    }

    public void Dispose() => running.Dispose();

    private sealed class Slot(SemaphoreSlim semaphore) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
