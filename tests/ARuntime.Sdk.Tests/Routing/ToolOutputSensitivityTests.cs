using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Failures;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Routing;

/// <summary>
/// Classification follows the data into later turns: a tool result more sensitive than the deployment the request was
/// routed to is not sent to it on the next turn.
/// </summary>
public sealed class ToolOutputSensitivityTests
{
    private static readonly ModelDeployment Shared = new() { Name = "shared", MaxDataSensitivity = Sensitivity.Internal };

    private static ModelRoute SharedThenBackup => new() { Deployment = "shared", Fallbacks = ["backup"] };

    [Test]
    public async Task A_tool_declared_confidential_moves_the_next_turn_to_a_deployment_cleared_for_it()
    {
        var backup = new EngineSlot();
        await using var harness = AgentTestHarness.Create(
            b => b.AddOnHarnessEngine(Shared)
                .AddScripted(new ModelDeployment { Name = "backup" }, backup, ScriptedReply.Answer("from backup"))
                .AddTool((string year) => new { year, band = "B4" }, o => Payroll(o, DataClassification.Of(Sensitivity.Confidential))),
            ScriptedReply.CallTool("payroll", new { year = "2026" }));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Which salary band?", "payroll") with { Route = SharedThenBackup });

        var toolMessage = backup.Engine!.Requests.Single().Messages.Single(m => m.Role == MessageRole.Tool);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1), "the shared deployment saw the question, not the payroll data");
            Assert.That(result.Deployment, Is.EqualTo("backup"));
            Assert.That(toolMessage.Classification.Sensitivity, Is.EqualTo(Sensitivity.Confidential));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Inference).ReasonCodes, Does.Contain("route.data_too_sensitive:shared"));
        });
    }

    [Test]
    public async Task A_result_the_tool_labels_confidential_counts_like_a_declared_one()
    {
        var backup = new EngineSlot();
        await using var harness = AgentTestHarness.Create(
            b => b.AddOnHarnessEngine(Shared)
                .AddScripted(new ModelDeployment { Name = "backup" }, backup, ScriptedReply.Answer("from backup"))
                .AddTool(
                    (string year) => ToolResult.Success(FailureTestKit.Json("""{"band":"B4"}""")) with { Classification = DataClassification.Of(Sensitivity.Confidential, "hr") },
                    o => Payroll(o, DataClassification.Unlabelled)),
            ScriptedReply.CallTool("payroll", new { year = "2026" }));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Which salary band?", "payroll") with { Route = SharedThenBackup });

        var toolMessage = backup.Engine!.Requests.Single().Messages.Single(m => m.Role == MessageRole.Tool);
        var toolRecord = harness.Evidence.Kind(result, EvidenceKinds.ToolCall).Single();
        Assert.Multiple(() =>
        {
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
            Assert.That(result.Deployment, Is.EqualTo("backup"));
            Assert.That(toolMessage.Classification.Sensitivity, Is.EqualTo(Sensitivity.Confidential));
            Assert.That(toolMessage.Classification.Labels, Does.Contain("hr"));
            Assert.That(toolRecord.Classification.Sensitivity, Is.EqualTo(Sensitivity.Confidential), "the tool.call record is labelled with what the tool returned");
        });
    }

    [Test]
    public async Task With_no_deployment_cleared_for_the_result_the_request_fails_closed()
    {
        await using var harness = AgentTestHarness.Create(
            b => b.AddOnHarnessEngine(Shared)
                .AddTool((string year) => new { year, band = "B4" }, o => Payroll(o, DataClassification.Of(Sensitivity.Confidential))),
            ScriptedReply.CallTool("payroll", new { year = "2026" }),
            ScriptedReply.Answer("The band is B4."));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Which salary band?", "payroll") with { Route = new ModelRoute { Deployment = "shared" } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.NoEligibleRoute));
            Assert.That(result.Error?.Message, Does.Contain("Confidential"));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1), "the payroll result never reached the shared deployment");
        });
    }

    /// <summary>Route policy on labels: "health" data must not reach the shared deployment, whatever its clearance.</summary>
    private static ARuntimeBuilder NoHealthDataOnShared(ARuntimeBuilder builder) => builder.ConfigurePolicy(p => p.Rules.Add(new PolicyRule
    {
        Id = "no-health-on-shared",
        Action = PolicyAction.ModelRoute,
        Outcome = PolicyOutcome.Deny,
        Deployments = ["shared"],
        Condition = c => c.Classification.HasLabel("health"),
    }));

    /// <summary>A tool whose results carry the "health" label (sensitivity Internal: the shared deployment is cleared for it).</summary>
    private static ARuntimeBuilder AddHealthRecords(ARuntimeBuilder builder) => builder.AddTool(
        (string patient) => ToolResult.Success(FailureTestKit.Json("""{"allergy":"penicillin"}""")) with { Classification = DataClassification.Of(Sensitivity.Internal, "health") },
        o => Payroll(o, DataClassification.Unlabelled, "records"));

    [Test]
    public async Task A_label_route_policy_keeps_off_a_deployment_is_applied_when_a_tool_result_brings_it()
    {
        var backup = new EngineSlot();
        await using var harness = AgentTestHarness.Create(
            b => NoHealthDataOnShared(AddHealthRecords(b.AddOnHarnessEngine(Shared)
                .AddScripted(new ModelDeployment { Name = "backup" }, backup, ScriptedReply.Answer("from backup")))),
            ScriptedReply.CallTool("records", new { patient = "p-1" }));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Any allergies?", "records") with { Route = SharedThenBackup });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1), "the shared deployment saw the question, not the health record");
            Assert.That(result.Deployment, Is.EqualTo("backup"));
            var secondTurn = harness.Evidence.StageRecords(result.RequestId).Last(r => r.Stage == LifecycleStage.Inference);
            Assert.That(secondTurn.ReasonCodes, Does.Contain("route.policy_denied(rule:no-health-on-shared):shared"));
            Assert.That(secondTurn.Attributes["route.policy_recheck"], Does.Contain("shared=Deny@").And.Contain("backup=Allow@"), "both answers of the re-check, with the policy version");
        });
    }

    [Test]
    public async Task When_route_policy_permits_no_deployment_for_the_new_labels_the_request_fails_closed()
    {
        await using var harness = AgentTestHarness.Create(
            b => NoHealthDataOnShared(AddHealthRecords(b.AddOnHarnessEngine(Shared))),
            ScriptedReply.CallTool("records", new { patient = "p-1" }),
            ScriptedReply.Answer("Penicillin."));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Any allergies?", "records") with { Route = new ModelRoute { Deployment = "shared" } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.NoEligibleRoute));
            Assert.That(result.Error?.Message, Does.Contain("health"));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1), "the health record never reached the shared deployment");
        });
    }

    [Test]
    public async Task While_the_data_keeps_its_classification_route_policy_is_asked_once_per_plan()
    {
        var routeDecisions = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddOnHarnessEngine(Shared)
                .AddTool((string year) => new { year, band = "B4" }, o => Payroll(o, DataClassification.Unlabelled))
                .ConfigurePolicy(p => p.Rules.Add(new PolicyRule
                {
                    Id = "count-routes",
                    Action = PolicyAction.ModelRoute,
                    Outcome = PolicyOutcome.Allow,
                    Condition = _ =>
                    {
                        routeDecisions.Increment();
                        return true;
                    },
                })),
            ScriptedReply.CallTool("payroll", new { year = "2025" }),
            ScriptedReply.CallTool("payroll", new { year = "2026" }),
            ScriptedReply.Answer("B4 both years."));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Which salary bands?", "payroll") with { Route = new ModelRoute { Deployment = "shared" } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(harness.Engine.CallCount, Is.EqualTo(3));
            Assert.That(routeDecisions.Value, Is.EqualTo(1), "three turns, one decision: nothing changed the data's classification");
        });
    }

    private static void Payroll(ToolOptions o, DataClassification output, string name = "payroll")
    {
        o.Name = name;
        o.PermissionClass = "kit.read";
        o.SideEffect = SideEffectClass.Read;
        o.OutputClassification = output;
    }
}
