namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>An auto-reset signal the scheduler loop waits on when it has nothing to do; setting it twice wakes it once.</summary>
internal sealed class AsyncSignal : IDisposable
{
    private readonly SemaphoreSlim semaphore = new(0, 1);

    /// <summary>Wakes the waiter (or the next one).</summary>
    public void Set()
    {
        try
        {
            semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    /// <summary>Waits until signalled.</summary>
    /// <param name="cancellationToken">Stops waiting (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>A task that completes when signalled.</returns>
    public Task WaitAsync(CancellationToken cancellationToken) => semaphore.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => semaphore.Dispose();
}
