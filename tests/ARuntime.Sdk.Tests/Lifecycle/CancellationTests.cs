using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Lifecycle;

public sealed class CancellationTests
{
    [Test]
    public async Task Caller_cancellation_during_inference_ends_the_request_as_cancelled_with_every_stage_recorded()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Hang());
        using var cts = new CancellationTokenSource();

        var run = harness.Runtime.RunAsync(Requests.Valid(), cts.Token);
        await harness.Engine.WhenCalledAsync(1);
        await cts.CancelAsync();
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Cancelled));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.Cancelled));
            Assert.That(result.Error.Stage, Is.EqualTo(LifecycleStage.Inference));
            Assert.That(harness.Evidence.StagesInOrder(result.RequestId), Is.EqualTo(Enum.GetValues<LifecycleStage>()));
        });
    }

    [Test]
    public async Task A_passed_deadline_ends_the_request_as_timed_out_without_sleeping()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Hang());
        var request = Requests.Valid() with { Deadline = harness.Time.GetUtcNow().AddSeconds(30) };

        var run = harness.Runtime.RunAsync(request);
        await harness.Engine.WhenCalledAsync(1);
        harness.Time.Advance(TimeSpan.FromSeconds(31));
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.TimedOut));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.TimedOut));
        });
    }
}
