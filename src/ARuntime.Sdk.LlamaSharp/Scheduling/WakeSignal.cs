namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>An auto-reset signal the scheduler thread waits on when it has nothing to do; setting it twice wakes it once.</summary>
internal sealed class WakeSignal : IDisposable
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

    /// <summary>Blocks the calling thread until signalled.</summary>
    /// <param name="cancellationToken">Stops waiting (throws <see cref="OperationCanceledException"/>).</param>
    public void Wait(CancellationToken cancellationToken) => semaphore.Wait(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => semaphore.Dispose();
}
