using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
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

    private static void Payroll(ToolOptions o, DataClassification output)
    {
        o.Name = "payroll";
        o.PermissionClass = "kit.read";
        o.SideEffect = SideEffectClass.Read;
        o.OutputClassification = output;
    }
}
