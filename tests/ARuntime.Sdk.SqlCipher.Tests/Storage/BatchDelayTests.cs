using ARuntime.Sdk.Evidence;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

/// <summary>Time-based group commit (<see cref="SqlCipherStoreOptions.MaxBatchDelay"/>): a batch waits for the delay on the store's clock, gathering the writes that arrive meanwhile.</summary>
public sealed class BatchDelayTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(250);

    /// <summary>Not expected to be reached: bounds how long a test waits for the writer before it fails instead of hanging.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_durable_write_waits_for_the_batch_delay_on_the_stores_clock_and_the_writes_arriving_meanwhile_join_its_batch()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        var time = new TimerWatchingTimeProvider(test.Time.GetUtcNow());
        await using var store = await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.MaxBatchDelay = Delay), time);
        try
        {
            var first = store.Evidence.WriteAsync(TestStore.Record("t", 1), EvidenceDurability.Durable).AsTask();

            // The writer takes the write into a batch and waits for the delay on the fake clock (and does not commit it).
            await Task.WhenAny(time.TimerCreated(1), first).WaitAsync(Deadline);
            Assert.That(first.IsCompleted, Is.False, "the write completed without waiting for the batch delay");
            var second = store.Evidence.WriteAsync(TestStore.Record("t", 2), EvidenceDurability.Durable).AsTask();
            var third = store.Evidence.WriteAsync(TestStore.Record("t", 3), EvidenceDurability.Durable).AsTask();
            var waiting = store.Evidence.Health;

            // Just short of the delay nothing is committed.
            time.Advance(Delay - TimeSpan.FromTicks(1));
            var shortOfDelay = store.Evidence.Health;
            var completedShortOfDelay = new[] { first, second, third }.Count(t => t.IsCompleted);
            var firedShortOfDelay = time.Fired;

            Assert.Multiple(() =>
            {
                Assert.That(time.DueTimes, Is.EqualTo(new[] { Delay }), "one timer, for the batch delay");
                Assert.That(waiting.CommittedWrites, Is.Zero);
                Assert.That(waiting.PendingWrites, Is.EqualTo(2), "the later writes are queued behind the waiting batch");
                Assert.That(firedShortOfDelay, Is.Zero, "the delay has not elapsed");
                Assert.That(completedShortOfDelay, Is.Zero, "no write completed before the delay");
                Assert.That(shortOfDelay.CommittedWrites, Is.Zero);
            });

            // At the delay the batch commits, with the writes that arrived while it waited.
            time.Advance(TimeSpan.FromTicks(1));
            var all = Task.WhenAll(first, second, third);
            await Task.WhenAny(all, time.TimerCreated(2)).WaitAsync(Deadline);
            Assert.That(all.IsCompleted, Is.True, "the writes that arrived during the delay waited for another one instead of joining the batch");
            await all;
            var committed = store.Evidence.Health;
            var report = await store.Evidence.VerifyAsync("t");

            Assert.Multiple(() =>
            {
                Assert.That(time.Fired, Is.EqualTo(1));
                Assert.That(time.DueTimes, Has.Count.EqualTo(1), "the three writes went out in one batch after one delay");
                Assert.That(committed.CommittedWrites, Is.EqualTo(3));
                Assert.That(committed.PendingWrites, Is.Zero);
                Assert.That(report.IsValid, Is.True, report.Message);
                Assert.That(report.TreeSize, Is.EqualTo(3));
            });
        }
        finally
        {
            // Should an assertion fail while the writer waits, let it go so closing the store does not hang.
            time.Advance(Delay);
        }
    }

    /// <summary>A fake clock that reports the timers created on it (the writer's Task.Delay) and whether they fired.</summary>
    private sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly TaskCompletionSource[] created = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];
        private readonly List<TimeSpan> dueTimes = [];
        private int fired;

        public int Fired => Volatile.Read(ref fired);

        public IReadOnlyList<TimeSpan> DueTimes
        {
            get
            {
                lock (dueTimes)
                {
                    return [.. dueTimes];
                }
            }
        }

        /// <summary>Returns a task that completes when the first or second timer is created.</summary>
        public Task TimerCreated(int number) => created[number - 1].Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(
                s =>
                {
                    Interlocked.Increment(ref fired);
                    callback(s);
                },
                state,
                dueTime,
                period);
            int count;
            lock (dueTimes)
            {
                dueTimes.Add(dueTime);
                count = dueTimes.Count;
            }

            if (count <= created.Length)
            {
                created[count - 1].TrySetResult();
            }
            return timer;
        }
    }
}
