using ARuntime.Sdk.Admission;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Failures;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Budgets;

/// <summary>Host-wide limits: at most N requests run and at most M wait; beyond that a request gets a typed overloaded result at once.</summary>
public sealed class HostLimitsTests
{
    private static AgentTestHarness Create(int running, int queued, params ScriptedReply[] replies) => AgentTestHarness.Create(null, o =>
    {
        o.Admission.MaxConcurrentRequests = running;
        o.Admission.MaxQueuedRequests = queued;
    }, replies);

    [Test]
    public async Task BeyondTheConcurrencyAndQueueLimits_ARequestIsOverloaded_AndTheQueuedOneRunsLater()
    {
        await using var harness = Create(1, 1, ScriptedReply.Hang(), ScriptedReply.Answer("second"));
        var limiter = harness.Services.GetRequiredService<RequestLimiter>();
        using var first = new CancellationTokenSource();

        var running = harness.Runtime.RunAsync(FailureTestKit.Request("first"), first.Token);
        await harness.Engine.WhenCalledAsync(1);
        var waiting = harness.Runtime.RunAsync(FailureTestKit.Request("second"));
        await limiter.WhenQueuedAsync(1);
        var refused = await harness.Runtime.RunAsync(FailureTestKit.Request("third"));

        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(AgentRunStatus.Overloaded));
            Assert.That(refused.Error!.Code, Is.EqualTo(AgentErrorCodes.Overloaded));
            Assert.That(refused.Stages.Select(s => s.Stage), Is.EqualTo(new[] { LifecycleStage.Admission }), "nothing ran");
            Assert.That(harness.Evidence.WithDurability(refused.RequestId).Single().Durability, Is.EqualTo(EvidenceDurability.Durable));
            Assert.That(harness.Evidence.StageRecord(refused, LifecycleStage.Admission).ReasonCodes, Does.Contain(AgentErrorCodes.Overloaded));
            Assert.That(waiting.IsCompleted, Is.False, "the queued request waits for a slot");
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
        });

        await first.CancelAsync();
        var cancelled = await running;
        var second = await waiting;

        Assert.Multiple(() =>
        {
            Assert.That(cancelled.Status, Is.EqualTo(AgentRunStatus.Cancelled));
            Assert.That(second.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(second.Answer, Is.EqualTo("second"));
            Assert.That(limiter.Queued, Is.Zero);
        });
    }

    [Test]
    public async Task WithNoQueue_ASecondRequestIsOverloadedImmediately()
    {
        await using var harness = Create(1, 0, ScriptedReply.Hang());
        using var cts = new CancellationTokenSource();

        var running = harness.Runtime.RunAsync(FailureTestKit.Request("first"), cts.Token);
        await harness.Engine.WhenCalledAsync(1);
        var refused = await harness.Runtime.RunAsync(FailureTestKit.Request("second"));
        await cts.CancelAsync();
        await running;

        Assert.That(refused.Status, Is.EqualTo(AgentRunStatus.Overloaded));
    }

    [Test]
    public async Task AQueuedRequestTheCallerCancels_LeavesTheQueue()
    {
        await using var harness = Create(1, 1, ScriptedReply.Hang(), ScriptedReply.Answer("third"));
        var limiter = harness.Services.GetRequiredService<RequestLimiter>();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();

        var running = harness.Runtime.RunAsync(FailureTestKit.Request("first"), first.Token);
        await harness.Engine.WhenCalledAsync(1);
        var queued = harness.Runtime.RunAsync(FailureTestKit.Request("second"), second.Token);
        await limiter.WhenQueuedAsync(1);
        await second.CancelAsync();
        var cancelled = await queued;
        var third = harness.Runtime.RunAsync(FailureTestKit.Request("third"));
        await limiter.WhenQueuedAsync(1);
        await first.CancelAsync();
        await running;
        var thirdResult = await third;

        Assert.Multiple(() =>
        {
            Assert.That(cancelled.Status, Is.EqualTo(AgentRunStatus.Cancelled));
            Assert.That(cancelled.Error!.Stage, Is.EqualTo(LifecycleStage.Admission));
            Assert.That(thirdResult.Status, Is.EqualTo(AgentRunStatus.Completed), "the cancelled request's place in the queue was freed");
        });
    }
}
