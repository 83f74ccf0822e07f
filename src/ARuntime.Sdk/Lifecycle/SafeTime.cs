namespace ARuntime.Sdk.Lifecycle;

/// <summary>
/// Time arithmetic that cannot throw on the values hosts and callers may legitimately send: a far deadline, a
/// <see cref="TimeSpan.MaxValue"/> budget, a retention of years. <see cref="CancellationTokenSource"/> refuses delays over
/// about 49.7 days and <see cref="DateTimeOffset"/> addition overflows near year 9999; either would otherwise escape the
/// runtime as an unexplained exception after admission.
/// </summary>
internal static class SafeTime
{
    /// <summary>The longest delay a timer accepts (<see cref="uint.MaxValue"/> - 1 milliseconds).</summary>
    public static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <summary>
    /// A source cancelled after <paramref name="delay"/>. A delay beyond what a timer can hold arms no timer: such a limit is
    /// then enforced where the runtime compares the clock with the deadline (between stages), not by cancellation.
    /// </summary>
    public static CancellationTokenSource CancelAfter(TimeSpan delay, TimeProvider timeProvider)
    {
        if (delay == Timeout.InfiniteTimeSpan || delay > MaxTimerDelay)
        {
            return new CancellationTokenSource();
        }

        return new CancellationTokenSource(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, timeProvider);
    }

    /// <summary>
    /// <paramref name="start"/> + <paramref name="span"/> (in UTC), clamped to the representable range instead of overflowing.
    /// </summary>
    public static DateTimeOffset Add(DateTimeOffset start, TimeSpan span)
    {
        var ticks = start.UtcTicks;
        if (span.Ticks > DateTimeOffset.MaxValue.UtcTicks - ticks)
        {
            return DateTimeOffset.MaxValue;
        }

        if (span.Ticks < DateTimeOffset.MinValue.UtcTicks - ticks)
        {
            return DateTimeOffset.MinValue;
        }

        return new DateTimeOffset(ticks + span.Ticks, TimeSpan.Zero);
    }
}
