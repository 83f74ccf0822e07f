using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Tools;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Idempotency;

public sealed class RequestIdempotencyTests
{
    private static AgentTestHarness Harness(SystemOfRecord system, Action<ARuntimeOptions>? options = null, params ScriptedReply[] replies)
    {
        var harness = AgentTestHarness.Create(
            b => b.AddTool((string invoiceId, ToolInvocation call) => { system.Apply(call.OperationKey); return new { paid = invoiceId }; }, o =>
            {
                o.Name = "pay";
                o.PermissionClass = "billing.pay";
                o.SideEffect = SideEffectClass.Irreversible;
            }).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("pay"))),
            options,
            replies);
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "billing.pay");
        return harness;
    }

    private static RuntimeRequest Request(AgentTestHarness harness, string key, string prompt = "Pay invoice 42") =>
        harness.NewRequest(prompt, "pay") with { IdempotencyKey = key };

    [Test]
    public async Task A_repeat_with_the_same_key_returns_the_original_result_without_running_again()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, replies: [ScriptedReply.CallTool("pay", new { invoiceId = "42" }), ScriptedReply.Answer("Paid.")]);
        var first = await harness.Runtime.RunAsync(Request(harness, "key-1"));
        var repeat = await harness.Runtime.RunAsync(Request(harness, "key-1"));

        Assert.That(first.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(repeat, Is.EqualTo(first), "the original result, as it was");
        Assert.That(system.Executions, Is.EqualTo(1));
        Assert.That(harness.Engine.CallCount, Is.EqualTo(2));
    }

    [Test]
    public async Task A_failed_original_is_replayed_as_a_failure()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, replies: [ScriptedReply.Malformed(), ScriptedReply.Malformed(), ScriptedReply.Malformed()]);
        var first = await harness.Runtime.RunAsync(Request(harness, "key-f") with { Budget = new Budget { MaxRetries = 0 } });
        var repeat = await harness.Runtime.RunAsync(Request(harness, "key-f") with { Budget = new Budget { MaxRetries = 0 } });

        Assert.That(first.Status, Is.EqualTo(AgentRunStatus.Failed));
        Assert.That(repeat.Status, Is.EqualTo(AgentRunStatus.Failed));
        Assert.That(repeat.RequestId, Is.EqualTo(first.RequestId));
        Assert.That(repeat.Error, Is.EqualTo(first.Error));
        Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
    }

    [Test]
    public async Task The_same_key_with_a_different_request_is_a_conflict()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, replies: [ScriptedReply.CallTool("pay", new { invoiceId = "42" }), ScriptedReply.Answer("Paid.")]);
        var first = await harness.Runtime.RunAsync(Request(harness, "key-2"));
        var other = await harness.Runtime.RunAsync(Request(harness, "key-2", "Pay invoice 43"));

        Assert.That(other.Status, Is.EqualTo(AgentRunStatus.Conflict));
        Assert.That(other.Error?.Code, Is.EqualTo(AgentErrorCodes.IdempotencyConflict));
        Assert.That(other.Error?.Field, Is.EqualTo("idempotencyKey"));
        Assert.That(system.Executions, Is.EqualTo(1));
        Assert.That(first.Status, Is.EqualTo(AgentRunStatus.Completed));
    }

    [Test]
    public async Task A_duplicate_arriving_while_the_original_runs_gets_an_in_progress_conflict()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, replies: [ScriptedReply.Hang()]);
        using var cts = new CancellationTokenSource();
        var original = harness.Runtime.RunAsync(Request(harness, "key-3"), cts.Token);
        await harness.Engine.WhenCalledAsync(1);
        var duplicate = await harness.Runtime.RunAsync(Request(harness, "key-3"));

        Assert.That(duplicate.Status, Is.EqualTo(AgentRunStatus.Conflict));
        Assert.That(duplicate.Error?.Code, Is.EqualTo(AgentErrorCodes.IdempotencyInProgress));
        Assert.That(harness.Engine.CallCount, Is.EqualTo(1), "the duplicate never reached the model");
        await cts.CancelAsync();
        Assert.That((await original).Status, Is.EqualTo(AgentRunStatus.Cancelled));
    }

    [Test]
    public async Task Keys_are_forgotten_after_the_configured_retention()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(
            system,
            o => o.Idempotency.Retention = TimeSpan.FromHours(1),
            ScriptedReply.CallTool("pay", new { invoiceId = "42" }),
            ScriptedReply.Answer("Paid."),
            ScriptedReply.Answer("Nothing to do."));
        var first = await harness.Runtime.RunAsync(Request(harness, "key-4"));
        harness.Time.Advance(TimeSpan.FromMinutes(59));
        var within = await harness.Runtime.RunAsync(Request(harness, "key-4"));
        harness.Time.Advance(TimeSpan.FromMinutes(2));
        var after = await harness.Runtime.RunAsync(Request(harness, "key-4"));

        Assert.That(within.RequestId, Is.EqualTo(first.RequestId));
        Assert.That(after.RequestId, Is.Not.EqualTo(first.RequestId));
        Assert.That(after.Answer, Is.EqualTo("Nothing to do."));
    }

    [Test]
    public async Task The_default_retention_is_24_hours()
    {
        await using var harness = Harness(new SystemOfRecord());
        var options = harness.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ARuntimeOptions>>().Value;
        Assert.That(options.Idempotency.Retention, Is.EqualTo(TimeSpan.FromHours(24)));
    }

    [Test]
    public async Task A_retry_takes_over_the_key_of_a_request_interrupted_by_a_crash()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, replies: [ScriptedReply.Answer("Done.")]);
        var store = harness.Services.GetRequiredService<IIdempotencyStore>();
        var journal = harness.Services.GetRequiredService<IRequestJournal>();
        var request = Request(harness, "key-5");
        var digest = ARuntime.Sdk.Admission.RequestValidator.Digest(request);
        var now = harness.Time.GetUtcNow();

        // What a crashed process leaves behind: the key held by a request the journal still shows running. The runtime's
        // startup recovery (on first use) marks it interrupted; the retry then takes the key over.
        await store.TryClaimAsync("tenant-test", "key-5", digest, "req_crashed", now.AddHours(24));
        await journal.UpsertAsync(new RequestJournalEntry { RequestId = "req_crashed", TenantId = "tenant-test", ActorId = "u1", State = RequestState.Running, StartedAt = now, UpdatedAt = now });

        var retry = await harness.Runtime.RunAsync(request);
        Assert.That(retry.Status, Is.EqualTo(AgentRunStatus.Completed));
        var admission = harness.Evidence.StageRecords(retry.RequestId).First(r => r.Stage == LifecycleStage.Admission);
        Assert.That(admission.ReasonCodes, Does.Contain("idempotency.taken_over"));
        Assert.That(admission.Attributes["interrupted.requestId"], Is.EqualTo("req_crashed"));
    }

    [Test]
    public async Task A_key_held_by_a_running_request_is_never_taken_over()
    {
        await using var harness = Harness(new SystemOfRecord(), replies: [ScriptedReply.Answer("Done.")]);
        var store = harness.Services.GetRequiredService<IIdempotencyStore>();
        var journal = harness.Services.GetRequiredService<IRequestJournal>();
        var request = Request(harness, "key-6");
        var now = harness.Time.GetUtcNow();

        // The runtime has started (its recovery ran); then a request of this process holds the key and runs.
        Assert.That(await harness.Runtime.GetStatusAsync("tenant-test", "req_unknown"), Is.Null);
        await store.TryClaimAsync("tenant-test", "key-6", ARuntime.Sdk.Admission.RequestValidator.Digest(request), "req_alive", now.AddHours(24));
        await journal.UpsertAsync(new RequestJournalEntry { RequestId = "req_alive", TenantId = "tenant-test", ActorId = "u1", State = RequestState.Running, StartedAt = now, UpdatedAt = now });

        var retry = await harness.Runtime.RunAsync(request);
        Assert.That(retry.Error?.Code, Is.EqualTo(AgentErrorCodes.IdempotencyInProgress));
    }

    [Test]
    public async Task The_in_memory_store_sweeps_expired_keys()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var store = new InMemoryIdempotencyStore(time);
        for (var i = 0; i < 300; i++)
        {
            await store.TryClaimAsync("t", "k" + i, "d", "r" + i, time.GetUtcNow().AddMinutes(1));
        }

        time.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < 256; i++)
        {
            await store.TryClaimAsync("t", "fresh" + i, "d", "f" + i, time.GetUtcNow().AddMinutes(1));
        }

        Assert.That(store.Count, Is.LessThan(300), "expired keys were swept");
        var reclaimed = await store.TryClaimAsync("t", "k0", "other-digest", "new", time.GetUtcNow().AddMinutes(1));
        Assert.That(reclaimed.Status, Is.EqualTo(IdempotencyClaimStatus.Claimed));
    }

    [Test]
    public async Task The_in_memory_store_releases_only_an_unfinished_key_of_its_holder()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var store = new InMemoryIdempotencyStore(time);
        await store.TryClaimAsync("t", "k", "d", "r1", time.GetUtcNow().AddHours(1));
        Assert.That(await store.ReleaseAsync("t", "k", "someone-else"), Is.False);
        Assert.That(await store.ReleaseAsync("t", "k", "r1"), Is.True);
        await store.TryClaimAsync("t", "k", "d", "r2", time.GetUtcNow().AddHours(1));
        await store.CompleteAsync("t", "k", new AgentResult { RequestId = "r2", Status = AgentRunStatus.Completed });
        Assert.That(await store.ReleaseAsync("t", "k", "r2"), Is.False, "a completed key is never released");
    }

    [Test]
    public async Task The_in_memory_store_keeps_the_result_of_the_request_holding_the_key()
    {
        // r1 paused for approval longer than the key's retention; a retry (r2) claimed the key meanwhile.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var store = new InMemoryIdempotencyStore(time);
        await store.TryClaimAsync("t", "k", "d", "r1", time.GetUtcNow().AddMinutes(1));
        time.Advance(TimeSpan.FromMinutes(2));
        await store.TryClaimAsync("t", "k", "d", "r2", time.GetUtcNow().AddHours(1));

        await store.CompleteAsync("t", "k", new AgentResult { RequestId = "r1", Status = AgentRunStatus.Completed, Answer = "late" });
        var whileRetryRuns = await store.TryClaimAsync("t", "k", "d", "r3", time.GetUtcNow().AddHours(1));
        await store.CompleteAsync("t", "k", new AgentResult { RequestId = "r2", Status = AgentRunStatus.Completed, Answer = "retry" });
        var afterRetry = await store.TryClaimAsync("t", "k", "d", "r4", time.GetUtcNow().AddHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(whileRetryRuns.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress));
            Assert.That(whileRetryRuns.OriginalRequestId, Is.EqualTo("r2"));
            Assert.That(afterRetry.Status, Is.EqualTo(IdempotencyClaimStatus.Completed));
            Assert.That(afterRetry.Result!.Answer, Is.EqualTo("retry"));
        });
    }
}
