using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.Support;

/// <summary>
/// Moves a fake clock step by step until a run ends. The runtime arms some timers on other threads only after it saw
/// something happen (an evaluator return, a tool told to stop), possibly after the test saw the run reach its wait, so a
/// single large step could land before the timer exists and never fire it. Bounded: a wait that never ends fails the test
/// instead of hanging it.
/// </summary>
internal static class FakeClock
{
    /// <summary>Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="run"/> completes or <paramref name="maxSteps"/> were taken.</summary>
    /// <returns>The number of steps taken.</returns>
    public static async Task<int> AdvanceUntilDoneAsync(this FakeTimeProvider time, Task run, TimeSpan step, int maxSteps = 60)
    {
        var steps = 0;
        while (!run.IsCompleted && steps < maxSteps)
        {
            time.Advance(step);
            steps++;
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(50)));
        }

        return steps;
    }
}
