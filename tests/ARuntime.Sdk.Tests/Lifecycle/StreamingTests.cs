using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Lifecycle;

public sealed class StreamingTests
{
    [Test]
    public async Task The_stream_reports_stages_text_and_tool_calls_and_ends_with_the_result()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(tools.Register, ScriptedReply.CallTool("lookup_order", new { orderId = "A-1" }), ScriptedReply.Answer("It was delivered yesterday."));

        var events = new List<AgentEvent>();
        await foreach (var e in harness.Runtime.RunStreamingAsync(Requests.Valid("x", "lookup_order")))
        {
            events.Add(e);
        }

        var completed = (RunCompletedEvent)events[^1];
        var text = string.Concat(events.OfType<TextDeltaEvent>().Where(e => e.Turn == 2).Select(e => e.Text));
        Assert.Multiple(() =>
        {
            Assert.That(events[0], Is.TypeOf<StageStartedEvent>().With.Property(nameof(StageStartedEvent.Stage)).EqualTo(LifecycleStage.Admission));
            Assert.That(completed.Result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(text, Does.Contain("delivered yesterday"));
            Assert.That(events.OfType<ToolCallProposedEvent>().Single().ToolName, Is.EqualTo("lookup_order"));
            Assert.That(events.OfType<PolicyDecisionEvent>().Single().Outcome, Is.EqualTo(PolicyOutcome.Allow));
            Assert.That(events.OfType<ToolCallCompletedEvent>().Single().Outcome, Is.EqualTo(ToolCallOutcome.Succeeded));
            Assert.That(events.OfType<StageCompletedEvent>().Select(e => e.Stage).Distinct(), Is.EqualTo(Enum.GetValues<LifecycleStage>()));
            Assert.That(events.Select(e => e.RequestId), Is.All.EqualTo(completed.Result.RequestId));
        });
    }

    [Test]
    public async Task Abandoning_the_stream_cancels_the_request_and_it_still_terminates_with_evidence()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Hang());
        string? requestId = null;

        await foreach (var e in harness.Runtime.RunStreamingAsync(Requests.Valid()))
        {
            requestId = e.RequestId;
            if (e is StageStartedEvent { Stage: LifecycleStage.Inference })
            {
                await harness.Engine.WhenCalledAsync(1);
                break;
            }
        }

        var status = await harness.Runtime.GetStatusAsync("tenant-a", requestId!);
        Assert.Multiple(() =>
        {
            Assert.That(status?.FinalStatus, Is.EqualTo(AgentRunStatus.Cancelled));
            Assert.That(harness.Evidence.StagesInOrder(requestId!), Does.Contain(LifecycleStage.IncidentRecovery));
        });
    }
}
