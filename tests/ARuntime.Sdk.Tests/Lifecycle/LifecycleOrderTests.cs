using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Lifecycle;

public sealed class LifecycleOrderTests
{
    [Test]
    public async Task A_completed_request_reports_all_sixteen_stages_in_lifecycle_order()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("hello"));

        var result = await harness.Runtime.RunAsync(Requests.Valid());

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Answer, Is.EqualTo("hello"));
            Assert.That(result.Stages.Select(s => s.Stage), Is.EqualTo(Enum.GetValues<LifecycleStage>()));
            Assert.That(harness.Evidence.StagesInOrder(result.RequestId), Is.EqualTo(Enum.GetValues<LifecycleStage>()));
        });
    }

    [Test]
    public async Task The_tool_loop_repeats_inference_through_approval_once_per_model_turn()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(
            tools.Register,
            ScriptedReply.CallTool("lookup_order", new { orderId = "A-1" }),
            ScriptedReply.CallTool("lookup_order", new { orderId = "A-2" }),
            ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(Requests.Valid("x", "lookup_order"));

        var loopStages = Enumerable.Range((int)LifecycleStage.Inference, 6).Select(i => (LifecycleStage)i).ToArray();
        var recorded = harness.Evidence.StageRecords(result.RequestId).Select(r => r.Stage).Where(loopStages.Contains).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(recorded, Is.EqualTo(loopStages.Concat(loopStages).Concat(loopStages)), "three full passes, in order");
            Assert.That(result.Stages.Where(s => loopStages.Contains(s.Stage)).Select(s => s.Executions), Is.All.EqualTo(3));
            Assert.That(result.Usage.ModelTurns, Is.EqualTo(3));
            Assert.That(result.Usage.ToolCalls, Is.EqualTo(2));
            Assert.That(tools.Lookups, Is.EquivalentTo(new[] { "A-1", "A-2" }));
        });
    }

    [Test]
    public async Task When_inference_fails_the_unreached_stages_are_recorded_and_the_terminal_stages_still_run()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Throw(new InferenceException(InferenceFailureKind.EngineError, "boom")));

        var result = await harness.Runtime.RunAsync(Requests.Valid());

        var stages = harness.Evidence.StageRecords(result.RequestId);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.InferenceFailed));
            Assert.That(result.Error.Stage, Is.EqualTo(LifecycleStage.Inference));
            Assert.That(harness.Evidence.StagesInOrder(result.RequestId), Is.EqualTo(Enum.GetValues<LifecycleStage>()), "every stage has a record");
            Assert.That(stages.Single(r => r.Stage == LifecycleStage.ToolExecution).Outcome, Is.EqualTo(StageOutcome.NotReached));
            Assert.That(stages.Single(r => r.Stage == LifecycleStage.ToolExecution).ReasonCodes, Does.Contain("request.ended_at:Inference"));
            Assert.That(stages.Single(r => r.Stage == LifecycleStage.IncidentRecovery).Decision, Is.EqualTo("incident=ModelTimeoutOrRefusal"));
            Assert.That(harness.Evidence.OfKind(result.RequestId, EvidenceKinds.Incident), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task An_exception_in_a_host_component_becomes_a_typed_failure_not_an_exception_out_of_the_runtime()
    {
        await using var harness = AgentTestHarness.Create(b => b.UseRiskClassifier(_ => new ThrowingRiskClassifier()), ScriptedReply.Answer("unused"));

        var result = await harness.Runtime.RunAsync(Requests.Valid());

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.Internal));
            Assert.That(result.Error.Stage, Is.EqualTo(LifecycleStage.RiskClassification));
            Assert.That(result.Error.Message, Does.Contain(nameof(InvalidOperationException)).And.Not.Contain("secret detail"));
            Assert.That(harness.Engine.CallCount, Is.Zero);
        });
    }

    [Test]
    public async Task The_status_of_a_request_is_queryable_by_its_tenant_only()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("hi"));
        var result = await harness.Runtime.RunAsync(Requests.Valid());

        var mine = await harness.Runtime.GetStatusAsync("tenant-a", result.RequestId);
        var theirs = await harness.Runtime.GetStatusAsync("tenant-b", result.RequestId);

        Assert.Multiple(() =>
        {
            Assert.That(mine?.State, Is.EqualTo(RequestState.Finished));
            Assert.That(mine?.FinalStatus, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(theirs, Is.Null);
        });
    }

    private sealed class ThrowingRiskClassifier : Risk.IRiskClassifier
    {
        public ValueTask<Risk.RiskAssessment> ClassifyAsync(Risk.RiskContext context, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("secret detail");
    }
}
