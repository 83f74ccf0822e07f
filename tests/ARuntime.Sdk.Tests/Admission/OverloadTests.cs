using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Admission;

/// <summary>Host-wide limits give a typed overload result instead of an unbounded queue.</summary>
public sealed class OverloadTests
{
    [Test]
    public async Task Beyond_the_concurrency_and_queue_limits_a_request_is_refused_as_overloaded_at_once()
    {
        await using var harness = AgentTestHarness.Create(
            null,
            o =>
            {
                o.Admission.MaxConcurrentRequests = 1;
                o.Admission.MaxQueuedRequests = 0;
            },
            ScriptedReply.Answer("first").After(TimeSpan.FromSeconds(5)),
            ScriptedReply.Answer("third"));

        var first = harness.Runtime.RunAsync(Requests.Valid());
        await harness.Engine.WhenCalledAsync(1);          // the first request holds the only slot, waiting on the fake clock

        var second = await harness.Runtime.RunAsync(Requests.Valid());
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        var firstResult = await first;
        var third = await harness.Runtime.RunAsync(Requests.Valid());

        Assert.Multiple(() =>
        {
            Assert.That(second.Status, Is.EqualTo(AgentRunStatus.Overloaded));
            Assert.That(second.Error?.Code, Is.EqualTo(AgentErrorCodes.Overloaded));
            Assert.That(firstResult.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(third.Status, Is.EqualTo(AgentRunStatus.Completed), "the slot is released when a request ends");
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2), "the overloaded request never reached the model");
        });
    }
}
