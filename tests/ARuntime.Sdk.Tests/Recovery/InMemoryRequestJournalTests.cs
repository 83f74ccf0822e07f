using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ARuntime.Sdk.Tests.Recovery;

/// <summary>The default journal is bounded: a long-running process does not keep every request it ever ran.</summary>
public sealed class InMemoryRequestJournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static RequestJournalEntry Entry(string id, RequestState state) => new()
    {
        RequestId = id,
        TenantId = "t",
        ActorId = "a",
        State = state,
        FinalStatus = state == RequestState.Finished ? AgentRunStatus.Completed : null,
        StartedAt = T0,
        UpdatedAt = T0,
    };

    [Test]
    public async Task Only_the_most_recent_ended_requests_are_kept_and_running_or_paused_ones_always()
    {
        var journal = new InMemoryRequestJournal(endedCapacity: 3);
        await journal.UpsertAsync(Entry("running", RequestState.Running));
        await journal.UpsertAsync(Entry("paused", RequestState.PendingApproval));
        foreach (var id in new[] { "r1", "r2", "r3", "r4" })
        {
            await journal.UpsertAsync(Entry(id, RequestState.Running));
            await journal.UpsertAsync(Entry(id, RequestState.Finished));
        }

        await journal.UpsertAsync(Entry("r5", RequestState.Interrupted));

        var running = await journal.ListRunningAsync().ToListAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await journal.GetAsync("t", "r1"), Is.Null, "the oldest ended requests are dropped");
            Assert.That(await journal.GetAsync("t", "r2"), Is.Null);
            Assert.That((await journal.GetAsync("t", "r3"))?.State, Is.EqualTo(RequestState.Finished));
            Assert.That((await journal.GetAsync("t", "r4"))?.State, Is.EqualTo(RequestState.Finished));
            Assert.That((await journal.GetAsync("t", "r5"))?.State, Is.EqualTo(RequestState.Interrupted));
            Assert.That((await journal.GetAsync("t", "running"))?.State, Is.EqualTo(RequestState.Running));
            Assert.That((await journal.GetAsync("t", "paused"))?.State, Is.EqualTo(RequestState.PendingApproval));
            Assert.That(running.Select(e => e.RequestId), Is.EqualTo(new[] { "running" }));
        });
    }

    [Test]
    public async Task A_paused_request_that_ends_later_counts_from_when_it_ended()
    {
        var journal = new InMemoryRequestJournal(endedCapacity: 2);
        await journal.UpsertAsync(Entry("paused", RequestState.PendingApproval));
        await journal.UpsertAsync(Entry("r1", RequestState.Finished));
        await journal.UpsertAsync(Entry("paused", RequestState.Finished));
        await journal.UpsertAsync(Entry("r2", RequestState.Finished));

        Assert.Multiple(async () =>
        {
            Assert.That(await journal.GetAsync("t", "r1"), Is.Null);
            Assert.That((await journal.GetAsync("t", "paused"))?.State, Is.EqualTo(RequestState.Finished));
            Assert.That((await journal.GetAsync("t", "r2"))?.State, Is.EqualTo(RequestState.Finished));
        });
    }

    [Test]
    public void A_negative_capacity_is_refused()
    {
        Assert.That(() => new InMemoryRequestJournal(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task Through_the_runtime_an_ended_request_beyond_the_capacity_has_no_status_any_more()
    {
        await using var harness = AgentTestHarness.Create(
            b => b.Services.RemoveAll<IRequestJournal>().AddSingleton<IRequestJournal>(new InMemoryRequestJournal(endedCapacity: 1)),
            ScriptedReply.Answer("one"),
            ScriptedReply.Answer("two"));
        var first = await harness.RunAsync("first");
        var second = await harness.RunAsync("second");

        Assert.Multiple(async () =>
        {
            Assert.That(await harness.Runtime.GetStatusAsync(first.TenantId!, first.RequestId), Is.Null);
            Assert.That((await harness.Runtime.GetStatusAsync(second.TenantId!, second.RequestId))?.FinalStatus, Is.EqualTo(AgentRunStatus.Completed));
        });
    }
}
