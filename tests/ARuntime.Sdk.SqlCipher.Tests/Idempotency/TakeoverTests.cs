using ARuntime.Sdk.Idempotency;

namespace ARuntime.Sdk.SqlCipher.Tests.Idempotency;

/// <summary>
/// Taking over what a crashed request left behind: its idempotency key (<see cref="IIdempotencyStore.ReleaseAsync"/>) and
/// its in-doubt tool operations (<see cref="IOperationLedger.AbandonAsync(string, string, string, CancellationToken)"/>).
/// Both are compare-and-set on the request that holds them, so of concurrent reconcilers exactly one wins. (Two processes
/// cannot race here: a store is opened by one process at a time, see <c>StoreLock</c>; the concurrency is within one.)
/// </summary>
public sealed class TakeoverTests
{
    [Test]
    public async Task The_key_of_a_request_interrupted_by_a_restart_is_released_and_claimed_by_its_retry()
    {
        await using var test = await TestStore.OpenAsync();
        var expires = test.Time.GetUtcNow().AddHours(1);
        await test.Store.Idempotency.TryClaimAsync("t", "order-42", "digest-a", "req-1", expires);
        await test.ReopenAsync();

        var before = await test.Store.Idempotency.TryClaimAsync("t", "order-42", "digest-a", "req-2", expires);
        var released = await test.Store.Idempotency.ReleaseAsync("t", "order-42", "req-1");
        var retry = await test.Store.Idempotency.TryClaimAsync("t", "order-42", "digest-a", "req-2", expires);
        await test.ReopenAsync();
        var afterRestart = await test.Store.Idempotency.TryClaimAsync("t", "order-42", "digest-a", "req-3", expires);

        Assert.Multiple(() =>
        {
            Assert.That(before.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress), "held by the interrupted request until released");
            Assert.That(released, Is.True);
            Assert.That(retry.Status, Is.EqualTo(IdempotencyClaimStatus.Claimed));
            Assert.That(afterRestart.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress), "the release and the new claim are durable");
            Assert.That(afterRestart.OriginalRequestId, Is.EqualTo("req-2"));
        });
    }

    [Test]
    public async Task A_key_held_by_another_request_or_already_completed_is_not_released()
    {
        await using var test = await TestStore.OpenAsync();
        var expires = test.Time.GetUtcNow().AddHours(1);
        await test.Store.Idempotency.TryClaimAsync("t", "k1", "d", "req-1", expires);
        await test.Store.Idempotency.TryClaimAsync("t", "k2", "d", "req-2", expires);
        await test.Store.Idempotency.CompleteAsync("t", "k2", new AgentResult { RequestId = "req-2", Status = AgentRunStatus.Completed, Answer = "done" });

        var wrongHolder = await test.Store.Idempotency.ReleaseAsync("t", "k1", "req-9");
        var otherTenant = await test.Store.Idempotency.ReleaseAsync("u", "k1", "req-1");
        var completed = await test.Store.Idempotency.ReleaseAsync("t", "k2", "req-2");
        var unknown = await test.Store.Idempotency.ReleaseAsync("t", "missing", "req-1");
        var k1 = await test.Store.Idempotency.TryClaimAsync("t", "k1", "d", "req-3", expires);
        var k2 = await test.Store.Idempotency.TryClaimAsync("t", "k2", "d", "req-3", expires);

        Assert.Multiple(() =>
        {
            Assert.That(new[] { wrongHolder, otherTenant, completed, unknown }, Has.All.False);
            Assert.That(k1.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress));
            Assert.That(k1.OriginalRequestId, Is.EqualTo("req-1"));
            Assert.That(k2.Status, Is.EqualTo(IdempotencyClaimStatus.Completed));
            Assert.That(k2.Result!.Answer, Is.EqualTo("done"));
        });
    }

    [Test]
    public async Task Of_concurrent_takeovers_of_one_interrupted_key_exactly_one_claims_it()
    {
        await using var test = await TestStore.OpenAsync();
        var expires = test.Time.GetUtcNow().AddHours(1);
        await test.Store.Idempotency.TryClaimAsync("t", "k", "d", "crashed", expires);

        // Each retry does what the runtime's takeover does: release the interrupted holder's key, then claim it.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var released = await test.Store.Idempotency.ReleaseAsync("t", "k", "crashed");
            var claim = await test.Store.Idempotency.TryClaimAsync("t", "k", "d", $"retry-{i}", expires);
            return (Released: released, Claim: claim);
        }));

        var winners = outcomes.Where(o => o.Claim.Status == IdempotencyClaimStatus.Claimed).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count(o => o.Released), Is.EqualTo(1));
            Assert.That(winners, Has.Count.EqualTo(1));
            Assert.That(outcomes.Where(o => o.Claim.Status != IdempotencyClaimStatus.Claimed).Select(o => o.Claim.OriginalRequestId), Has.All.EqualTo(winners[0].Claim.OriginalRequestId));
        });
    }

    [Test]
    public async Task Of_concurrent_reconcilers_of_one_in_doubt_operation_exactly_one_runs_it_again()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", "crashed");
        await test.ReopenAsync();

        // Each reconciler does what the tool stage does after the status query found no effect: forget the crashed
        // request's start (compare-and-set on its starter), then start the operation itself.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var seen = await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", $"reconciler-{i}");
            var abandoned = seen.Status == OperationClaimStatus.InDoubt
                && await test.Store.Operations.AbandonAsync("t", "op-1", seen.StartedByRequestId!);
            var retry = await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", $"reconciler-{i}");
            return (Abandoned: abandoned, Retry: retry, Id: $"reconciler-{i}");
        }));

        var runners = outcomes.Where(o => o.Retry.Status == OperationClaimStatus.Started).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(runners, Has.Count.EqualTo(1), "the operation runs again exactly once");
            Assert.That(outcomes.Count(o => o.Abandoned), Is.EqualTo(1), "only the crashed request's start is forgotten, once");
            Assert.That(
                outcomes.Where(o => o.Retry.Status != OperationClaimStatus.Started).Select(o => o.Retry.StartedByRequestId),
                Has.All.EqualTo(runners[0].Id),
                "the others find the winner's start");
        });
    }

    [Test]
    public async Task An_operation_started_by_another_request_or_completed_is_not_abandoned()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", "req-1");
        await test.Store.Operations.TryStartAsync("t", "op-2", "send_email", "req-1");
        await test.Store.Operations.CompleteAsync("t", "op-2", ARuntime.Sdk.Tools.ToolResult.Failure("mailbox full"));

        var wrongStarter = await test.Store.Operations.AbandonAsync("t", "op-1", "req-2");
        var completed = await test.Store.Operations.AbandonAsync("t", "op-2", "req-1");
        var own = await test.Store.Operations.AbandonAsync("t", "op-1", "req-1");
        var again = await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", "req-3");
        var stillCompleted = await test.Store.Operations.TryStartAsync("t", "op-2", "send_email", "req-3");

        Assert.Multiple(() =>
        {
            Assert.That(wrongStarter, Is.False);
            Assert.That(completed, Is.False, "a completed operation must never run again");
            Assert.That(own, Is.True);
            Assert.That(again.Status, Is.EqualTo(OperationClaimStatus.Started));
            Assert.That(stillCompleted.Status, Is.EqualTo(OperationClaimStatus.Completed));
        });
    }
}
