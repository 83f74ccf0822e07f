namespace ARuntime.Sdk.Lifecycle;

/// <summary>
/// The time a request's closing work may take — terminal stages, evidence, journal and idempotency bookkeeping — once it
/// has to end. The clock starts when the request ends normally (the terminal stages begin), when the caller cancels or
/// when the deadline passes, whichever comes first; never at the start of the run, or a request running longer than the
/// grace period would have no time left to finish its books.
/// </summary>
internal sealed class GracePeriod : IDisposable
{
    private readonly CancellationTokenSource source;
    private readonly TimeSpan period;
    private readonly List<CancellationTokenRegistration> triggers = [];
    private int started;

    public GracePeriod(TimeSpan period, TimeProvider timeProvider)
    {
        this.period = period;
        source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
    }

    /// <summary>Gets the token the closing work runs under.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>Starts the clock when <paramref name="trigger"/> is cancelled (the caller's token, the deadline).</summary>
    public void StartWhen(CancellationToken trigger)
    {
        if (trigger.CanBeCanceled)
        {
            triggers.Add(trigger.Register(static state => ((GracePeriod)state!).Start(), this));
        }
    }

    /// <summary>Starts the clock (once; later calls do not extend it).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref started, 1) != 0 || period > SafeTime.MaxTimerDelay)
        {
            return;
        }

        try
        {
            source.CancelAfter(period);
        }
        catch (ObjectDisposedException)
        {
            // The request already finished.
        }
    }

    public void Dispose()
    {
        foreach (var trigger in triggers)
        {
            trigger.Dispose();
        }

        source.Dispose();
    }
}
