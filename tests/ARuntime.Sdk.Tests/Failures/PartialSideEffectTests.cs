using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// The "partial side effect" row: detected by the tool result plus the system-of-record check; the caller sees the partial
/// state and the recovery status; effects are compensated or reconciled, never blindly retried; the changed resources and
/// the compensation are in evidence.
/// </summary>
public sealed class PartialSideEffectTests
{
    private static AgentTool Reserve(Counter compensations) => AgentToolFactory.Create(
        (string seat) => ToolResult.Success(JsonSerializer.SerializeToElement(new { seat }), "seat:" + seat),
        o =>
        {
            o.Name = "reserve";
            o.PermissionClass = "kit.write";
            o.SideEffect = SideEffectClass.ReversibleWrite;
            o.Compensate = (_, _) =>
            {
                compensations.Increment();
                return ValueTask.FromResult(CompensationResult.Done);
            };
        });

    private static AgentTool Notify(Counter sent) => AgentToolFactory.Create(
        (string to) =>
        {
            sent.Increment();
            return ToolResult.Success(JsonSerializer.SerializeToElement(new { to }), "message:" + to);
        },
        o =>
        {
            o.Name = "notify";
            o.PermissionClass = "kit.write";
            o.SideEffect = SideEffectClass.Irreversible;
        });

    private static AgentTool FailingCharge(Counter attempts) => AgentToolFactory.Create(
        (decimal amount) =>
        {
            attempts.Increment();
            return ToolResult.Failure("The card was declined.");
        },
        o =>
        {
            o.Name = "charge";
            o.PermissionClass = "kit.write";
            o.SideEffect = SideEffectClass.ReversibleWrite;
            o.Compensate = (_, _) => ValueTask.FromResult(CompensationResult.Done);
        });

    [Test]
    public async Task StepFailingAfterASideEffect_CompensatesIt_AndShowsThePartialState()
    {
        var compensations = new Counter();
        var charges = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Reserve(compensations)).AddTool(FailingCharge(charges)),
            ScriptedReply.CallTool("reserve", new { seat = "12A" }),
            ScriptedReply.CallTool("charge", new { amount = 120 }),
            ScriptedReply.Answer("booked"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Book 12A and charge 120.", "reserve", "charge"));

        var compensation = harness.Evidence.Kind(result, EvidenceKinds.Compensation).Single();
        Assert.Multiple(() =>
        {
            // Every earlier effect was undone, so no partial state remains: a clean, explained failure.
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.ToolFailed));
            Assert.That(result.Error.Message, Does.Contain("Every earlier side effect of the request was compensated."));
            Assert.That(result.Answer, Is.Null);
            Assert.That(charges.Value, Is.EqualTo(1), "a failed side effect is not blindly retried");
            Assert.That(compensations.Value, Is.EqualTo(1));
            Assert.That(result.ToolCalls.Select(c => (c.ToolName, c.Outcome)), Is.EqualTo(new[] { ("reserve", ToolCallOutcome.Compensated), ("charge", ToolCallOutcome.Failed) }));
            Assert.That(result.Qualifications, Has.Some.Contains("undone by compensation"));
            Assert.That(compensation.Attributes["changed_resources"], Is.EqualTo("seat:12A"));
            Assert.That(compensation.Decision, Is.EqualTo("compensated"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.Incident).Single().Attributes["failure.kind"], Is.EqualTo(nameof(FailureKind.PartialSideEffect)));
        });
    }

    [Test]
    public async Task EffectThatCannotBeUndone_IsReportedAsRemaining()
    {
        var sent = new Counter();
        var charges = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Notify(sent)).AddTool(FailingCharge(charges)),
            ScriptedReply.CallTool("notify", new { to = "ana" }),
            ScriptedReply.CallTool("charge", new { amount = 120 }),
            ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Tell Ana, then charge.", "notify", "charge"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial), "an effect remains: the caller sees a partial state");
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.PartialSideEffect));
            Assert.That(result.Uncertainty, Has.Some.Contains("Side effects remain that could not be undone: message:ana"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.Compensation).Single().Decision, Is.EqualTo("not_compensable"));
            Assert.That(sent.Value, Is.EqualTo(1));
        });
    }
}
