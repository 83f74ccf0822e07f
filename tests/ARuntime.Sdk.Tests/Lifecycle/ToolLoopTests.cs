using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Lifecycle;

/// <summary>Model output is only a proposal: parsed, validated and authorized before anything runs.</summary>
public sealed class ToolLoopTests
{
    [Test]
    public async Task A_typed_call_runs_with_the_proposed_arguments_and_the_model_sees_the_result()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(tools.Register, ScriptedReply.CallTool("lookup_order", new { orderId = "A-7" }), ScriptedReply.Answer("ok"));

        var result = await harness.Runtime.RunAsync(Requests.Valid("x", "lookup_order"));

        var second = harness.Engine.Requests[1];
        var toolMessage = second.Messages.Single(m => m.Role == MessageRole.Tool);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(tools.Lookups, Is.EqualTo(new[] { "A-7" }));
            Assert.That(toolMessage.ToolName, Is.EqualTo("lookup_order"));
            Assert.That(JsonDocument.Parse(toolMessage.Content).RootElement.GetProperty("result").GetProperty("orderId").GetString(), Is.EqualTo("A-7"));
            Assert.That(harness.Engine.Requests[0].Tools.Select(t => t.Name), Is.EqualTo(new[] { "lookup_order" }), "only allowed tools are offered");
        });
    }

    [Test]
    public async Task Malformed_output_is_sent_back_for_repair_and_causes_no_side_effect()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(tools.Register, ScriptedReply.Malformed(), ScriptedReply.Answer("fixed"));

        var result = await harness.Runtime.RunAsync(Requests.Valid("x", "refund_order"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Answer, Is.EqualTo("fixed"));
            Assert.That(tools.Refunds, Is.Empty);
            Assert.That(result.Usage.Retries, Is.EqualTo(1));
            Assert.That(harness.Engine.Requests[1].Messages[^1].Content, Does.StartWith("[runtime] Your previous reply could not be used"));
            Assert.That(harness.Evidence.OfKind(result.RequestId, EvidenceKinds.OutputRepair).Single().Decision, Is.EqualTo("regenerate"));
        });
    }

    [Test]
    public async Task Output_that_stays_invalid_fails_the_request_after_the_bounded_repairs()
    {
        await using var harness = AgentTestHarness.Create(new SampleTools().Register, o => o.Inference.MaxRepairAttempts = 1, ScriptedReply.Malformed(), ScriptedReply.Malformed(), ScriptedReply.Answer("never"));

        var result = await harness.Runtime.RunAsync(Requests.Valid("x", "lookup_order"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.InvalidModelOutput));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2), "one try plus one repair");
            Assert.That(harness.Evidence.OfKind(result.RequestId, EvidenceKinds.OutputRepair).Select(r => r.Decision), Is.EqualTo(new[] { "regenerate", "give_up" }));
        });
    }

    [Test]
    public async Task Arguments_that_violate_the_input_schema_never_reach_the_tool()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(tools.Register, ScriptedReply.CallTool("refund_order", new { orderId = 12, amount = "lots" }), ScriptedReply.Answer("gave up"));

        var result = await harness.Runtime.RunAsync(Requests.Valid("x", "refund_order"));

        Assert.Multiple(() =>
        {
            Assert.That(tools.Refunds, Is.Empty);
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.Invalid));
            Assert.That(result.ToolCalls.Single().ReasonCodes, Does.Contain("tool.arguments_invalid"));
            Assert.That(harness.Engine.Requests[1].Messages.Last(m => m.Role == MessageRole.User).Content, Does.Contain("refund_order"));
        });
    }

    [Test]
    public async Task A_call_to_a_tool_the_request_did_not_allow_is_denied_and_the_model_is_told()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(tools.Register, ScriptedReply.CallTool("refund_order", new { orderId = "A-1", amount = 5 }), ScriptedReply.Answer("I cannot refund."));

        var result = await harness.Runtime.RunAsync(Requests.Valid("x", "lookup_order"));

        var toolMessage = harness.Engine.Requests[1].Messages.Single(m => m.Role == MessageRole.Tool);
        Assert.Multiple(() =>
        {
            Assert.That(tools.Refunds, Is.Empty);
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.Denied));
            Assert.That(result.ToolCalls.Single().ReasonCodes, Does.Contain("tool.not_allowed"));
            Assert.That(JsonDocument.Parse(toolMessage.Content).RootElement.GetProperty("status").GetString(), Is.EqualTo("denied"));
            Assert.That(result.IsQualified, Is.True);
            Assert.That(harness.Evidence.OfKind(result.RequestId, EvidenceKinds.PolicyDecision).Single().Outcome, Is.EqualTo(StageOutcome.Denied));
        });
    }

    [Test]
    public async Task A_structured_answer_must_satisfy_the_output_contract()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.StructuredAnswer(new { ok = "yes" }), ScriptedReply.StructuredAnswer(new { ok = true }));
        var request = Requests.Valid() with { Output = OutputContract.FromJson("""{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}""") };

        var result = await harness.Runtime.RunAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), () => result.Error?.Message ?? string.Empty);
            Assert.That(result.StructuredAnswer!.Value.GetProperty("ok").GetBoolean(), Is.True);
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2), "the first, schema-violating answer was sent back");
            Assert.That(harness.Engine.Requests[0].ResponseFormat.Kind, Is.EqualTo(Inference.ResponseFormatKind.JsonSchema));
        });
    }

    [Test]
    public async Task Tool_calls_proposed_through_native_tool_calling_are_validated_like_text_ones()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(tools.Register, ScriptedReply.CallTool("lookup_order", new { orderId = "N-1" }), ScriptedReply.Answer("ok"));
        harness.Engine.NativeToolCalls = true;

        var result = await harness.Runtime.RunAsync(Requests.Valid("x", "lookup_order"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(tools.Lookups, Is.EqualTo(new[] { "N-1" }));
        });
    }
    [Test]
    public async Task Several_tool_calls_in_one_native_reply_all_run_in_that_turn_each_with_its_record()
    {
        var tools = new SampleTools();
        var tracked = new List<string>();
        await using var harness = AgentTestHarness.Create(
            b =>
            {
                tools.Register(b);
                b.AddTool(
                    (string orderId) =>
                    {
                        tracked.Add(orderId);
                        return new { orderId, carrier = "post" };
                    },
                    o =>
                    {
                        o.Name = "track_parcel";
                        o.PermissionClass = "orders.read";
                        o.SideEffect = SideEffectClass.Read;
                    });
            },
            ScriptedReply.CallTools(new("lookup_order", new { orderId = "A-1" }), new("track_parcel", new { orderId = "B-2" })),
            ScriptedReply.Answer("A-1 was delivered; B-2 is with the post."));

        var result = await harness.Runtime.RunAsync(Requests.Valid("Where are A-1 and B-2?", "lookup_order", "track_parcel"));

        var calls = harness.Evidence.OfKind(result.RequestId, EvidenceKinds.ToolCall);
        var executions = harness.Evidence.StageRecords(result.RequestId).Where(r => r.Stage == LifecycleStage.ToolExecution).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), () => result.Error?.Message ?? string.Empty);
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2), "one turn proposes both calls, the next answers");
            Assert.That(tools.Lookups, Is.EqualTo(new[] { "A-1" }));
            Assert.That(tracked, Is.EqualTo(new[] { "B-2" }));
            Assert.That(result.ToolCalls.Select(c => (c.ToolName, c.Outcome)), Is.EqualTo(new[] { ("lookup_order", ToolCallOutcome.Succeeded), ("track_parcel", ToolCallOutcome.Succeeded) }));
            Assert.That(calls.Select(c => (c.Attributes["tool.name"], c.Attributes["call.id"], c.Outcome, c.Versions.Tool)), Is.EqualTo(new[]
            {
                ("lookup_order", "call_1_0", StageOutcome.Completed, "lookup_order@1.0.0"),
                ("track_parcel", "call_1_1", StageOutcome.Completed, "track_parcel@1.0.0"),
            }));
            Assert.That(executions[0].Decision, Is.EqualTo("succeeded=2;failed=0;deduplicated=0"), "both ran in the first turn's tool execution");
        });
    }
}
