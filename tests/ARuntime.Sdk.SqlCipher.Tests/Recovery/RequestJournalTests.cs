using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Recovery;

namespace ARuntime.Sdk.SqlCipher.Tests.Recovery;

public sealed class RequestJournalTests
{
    [Test]
    public async Task Requests_still_running_when_the_process_stopped_are_listed_on_restart()
    {
        await using var test = await TestStore.OpenAsync();
        var now = test.Time.GetUtcNow();
        RequestJournalEntry Entry(string tenant, string id, RequestState state) => new()
        {
            TenantId = tenant,
            RequestId = id,
            ActorId = "alice",
            State = state,
            Stage = LifecycleStage.Inference,
            StartedAt = now,
            UpdatedAt = now,
        };
        await test.Store.Journal.UpsertAsync(Entry("t1", "r1", RequestState.Running) with { IdempotencyKey = "idem-1" });
        await test.Store.Journal.UpsertAsync(Entry("t2", "r2", RequestState.Running));
        await test.Store.Journal.UpsertAsync(Entry("t1", "r3", RequestState.Running));
        await test.Store.Journal.UpsertAsync(Entry("t1", "r3", RequestState.Finished) with { FinalStatus = AgentRunStatus.Completed, Stage = LifecycleStage.Evaluation });
        await test.Store.Journal.UpsertAsync(Entry("t1", "r4", RequestState.PendingApproval) with { ApprovalId = "ap-9" });
        await test.ReopenAsync();

        var running = await test.Store.Journal.ListRunningAsync().ToListAsync();
        var finished = await test.Store.Journal.GetAsync("t1", "r3");
        var paused = await test.Store.Journal.GetAsync("t1", "r4");

        Assert.Multiple(() =>
        {
            Assert.That(running.Select(e => (e.TenantId, e.RequestId)), Is.EquivalentTo(new[] { ("t1", "r1"), ("t2", "r2") }));
            Assert.That(running.Single(e => e.RequestId == "r1").IdempotencyKey, Is.EqualTo("idem-1"), "recovery answers retries under the key the request held");
            Assert.That(running.Single(e => e.RequestId == "r2").IdempotencyKey, Is.Null);
            Assert.That(finished!.FinalStatus, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(finished.Stage, Is.EqualTo(LifecycleStage.Evaluation));
            Assert.That(paused!.ApprovalId, Is.EqualTo("ap-9"));
        });
    }
}
