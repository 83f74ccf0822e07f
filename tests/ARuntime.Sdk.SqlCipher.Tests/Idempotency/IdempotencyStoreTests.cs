using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.SqlCipher.Tests.Idempotency;

public sealed class IdempotencyStoreTests
{
    [Test]
    public async Task A_key_is_claimed_once_then_in_progress_conflicting_or_completed_across_a_restart()
    {
        await using var test = await TestStore.OpenAsync();
        var expires = test.Time.GetUtcNow().AddHours(1);

        var first = await test.Store.Idempotency.TryClaimAsync("t", "order-42", "digest-a", "req-1", expires);
        await test.ReopenAsync();
        var repeat = await test.Store.Idempotency.TryClaimAsync("t", "order-42", "digest-a", "req-2", expires);
        var different = await test.Store.Idempotency.TryClaimAsync("t", "order-42", "digest-b", "req-3", expires);
        await test.Store.Idempotency.CompleteAsync("t", "order-42", new AgentResult { RequestId = "req-1", Status = AgentRunStatus.Completed, Answer = "done" });
        await test.ReopenAsync();
        var completed = await test.Store.Idempotency.TryClaimAsync("t", "order-42", "digest-a", "req-4", expires);

        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(IdempotencyClaimStatus.Claimed));
            Assert.That(repeat.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress));
            Assert.That(repeat.OriginalRequestId, Is.EqualTo("req-1"));
            Assert.That(different.Status, Is.EqualTo(IdempotencyClaimStatus.Conflict));
            Assert.That(completed.Status, Is.EqualTo(IdempotencyClaimStatus.Completed));
            Assert.That(completed.Result!.Answer, Is.EqualTo("done"));
        });
    }

    [Test]
    public async Task Concurrent_claims_of_one_key_yield_exactly_one_winner()
    {
        await using var test = await TestStore.OpenAsync();
        var expires = test.Time.GetUtcNow().AddHours(1);

        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => test.Store.Idempotency.TryClaimAsync("t", "k", "d", $"req-{i}", expires).AsTask()));

        Assert.That(claims.Count(c => c.Status == IdempotencyClaimStatus.Claimed), Is.EqualTo(1));
    }

    [Test]
    public async Task An_expired_key_can_be_claimed_again()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Idempotency.TryClaimAsync("t", "k", "d", "req-1", test.Time.GetUtcNow().AddMinutes(1));
        test.Time.Advance(TimeSpan.FromMinutes(2));

        var again = await test.Store.Idempotency.TryClaimAsync("t", "k", "other", "req-2", test.Time.GetUtcNow().AddMinutes(1));

        Assert.That(again.Status, Is.EqualTo(IdempotencyClaimStatus.Claimed));
    }

    [Test]
    public async Task A_request_that_outlived_its_claim_does_not_overwrite_the_retry_that_claimed_the_key_after_it()
    {
        // req-1 paused for approval longer than the key's retention; a retry (req-2) claimed the key meanwhile.
        await using var test = await TestStore.OpenAsync();
        await test.Store.Idempotency.TryClaimAsync("t", "k", "d", "req-1", test.Time.GetUtcNow().AddMinutes(1));
        test.Time.Advance(TimeSpan.FromMinutes(2));
        await test.Store.Idempotency.TryClaimAsync("t", "k", "d", "req-2", test.Time.GetUtcNow().AddHours(1));

        await test.Store.Idempotency.CompleteAsync("t", "k", new AgentResult { RequestId = "req-1", Status = AgentRunStatus.Completed, Answer = "late" });
        var whileRetryRuns = await test.Store.Idempotency.TryClaimAsync("t", "k", "d", "req-3", test.Time.GetUtcNow().AddHours(1));
        await test.Store.Idempotency.CompleteAsync("t", "k", new AgentResult { RequestId = "req-2", Status = AgentRunStatus.Completed, Answer = "retry" });
        var afterRetry = await test.Store.Idempotency.TryClaimAsync("t", "k", "d", "req-4", test.Time.GetUtcNow().AddHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(whileRetryRuns.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress));
            Assert.That(whileRetryRuns.OriginalRequestId, Is.EqualTo("req-2"));
            Assert.That(afterRetry.Status, Is.EqualTo(IdempotencyClaimStatus.Completed));
            Assert.That(afterRetry.Result!.Answer, Is.EqualTo("retry"));
        });
    }

    [Test]
    public async Task An_operation_runs_once_and_a_start_without_a_result_is_in_doubt_after_a_restart()
    {
        await using var test = await TestStore.OpenAsync();
        var started = await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", "req-1");
        await test.ReopenAsync();
        var inDoubt = await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", "req-2");
        await test.Store.Operations.CompleteAsync("t", "op-1", ToolResult.Failure("mailbox full"));
        var completed = await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", "req-3");

        var other = await test.Store.Operations.TryStartAsync("t", "op-2", "send_email", "req-1");
        await test.Store.Operations.AbandonAsync("t", "op-2");
        var rerun = await test.Store.Operations.TryStartAsync("t", "op-2", "send_email", "req-9");
        await test.Store.Operations.AbandonAsync("t", "op-1");
        var stillCompleted = await test.Store.Operations.TryStartAsync("t", "op-1", "send_email", "req-10");

        Assert.Multiple(() =>
        {
            Assert.That(started.Status, Is.EqualTo(OperationClaimStatus.Started));
            Assert.That(inDoubt.Status, Is.EqualTo(OperationClaimStatus.InDoubt));
            Assert.That(inDoubt.StartedByRequestId, Is.EqualTo("req-1"));
            Assert.That(completed.Status, Is.EqualTo(OperationClaimStatus.Completed));
            Assert.That(completed.Result!.Error, Is.EqualTo("mailbox full"));
            Assert.That(other.Status, Is.EqualTo(OperationClaimStatus.Started));
            Assert.That(rerun.Status, Is.EqualTo(OperationClaimStatus.Started), "an abandoned start may run again");
            Assert.That(stillCompleted.Status, Is.EqualTo(OperationClaimStatus.Completed), "a completed operation is never forgotten");
        });
    }

    [Test]
    public async Task Completing_an_unknown_key_is_a_clear_error()
    {
        await using var test = await TestStore.OpenAsync();
        Assert.Multiple(() =>
        {
            Assert.That(async () => await test.Store.Idempotency.CompleteAsync("t", "nope", new AgentResult { RequestId = "r", Status = AgentRunStatus.Completed }), Throws.TypeOf<InvalidOperationException>());
            Assert.That(async () => await test.Store.Operations.CompleteAsync("t", "nope", ToolResult.Failure("x")), Throws.TypeOf<InvalidOperationException>());
        });
    }
}
