using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// The "authorization denial" row: detected by the policy decision; the caller and the model get a bounded explanation;
/// there is no automatic privilege expansion (approval only through the configured path); the policy version, reason codes
/// and authority are in evidence.
/// </summary>
public sealed class AuthorizationDenialTests
{
    private static AgentTool Refund(Counter refunds) => AgentToolFactory.Create(
        (decimal amount) =>
        {
            refunds.Increment();
            return new { refunded = amount };
        },
        o =>
        {
            o.Name = "refund";
            o.PermissionClass = "kit.write";
            o.SideEffect = SideEffectClass.Irreversible;
        });

    [Test]
    public async Task PolicyDenial_IsExplained_AndTheCallNeverRuns()
    {
        var refunds = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(Refund(refunds)).ConfigurePolicy(p =>
            {
                p.Version = "policy/refunds-7";
                p.Rules.Add(new PolicyRule { Id = "no-large-refunds", Tools = ["refund"], Outcome = PolicyOutcome.Deny, Explanation = "Refunds over 100 need a manager.", Condition = c => c.Arguments!.Value.GetProperty("amount").GetDecimal() > 100 });
            }),
            ScriptedReply.CallTool("refund", new { amount = 250 }),
            ScriptedReply.Answer("I cannot refund 250 myself; a manager must approve it."));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Refund 250.", "refund"));

        var decision = harness.Evidence.Kind(result, EvidenceKinds.PolicyDecision).Single();
        var told = harness.Engine.Requests[1].Messages[^1];
        Assert.Multiple(() =>
        {
            Assert.That(refunds.Value, Is.Zero);
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.Denied));
            Assert.That(result.ToolCalls.Single().Explanation, Is.EqualTo("Refunds over 100 need a manager."));
            Assert.That(result.Qualifications, Does.Contain("Tool call 'refund' was denied: Refunds over 100 need a manager."));
            Assert.That(told.Role, Is.EqualTo(MessageRole.Tool));
            Assert.That(told.Content, Does.Contain("\"status\":\"denied\"").And.Contain("Refunds over 100 need a manager."));
            Assert.That(decision.Outcome, Is.EqualTo(StageOutcome.Denied));
            Assert.That(decision.Versions.Policy, Is.EqualTo("policy/refunds-7"));
            Assert.That(decision.ReasonCodes, Does.Contain("rule:no-large-refunds"));
            Assert.That(decision.ActorId, Is.EqualTo("user-test"));
            Assert.That(decision.Attributes["policy.rule"], Is.EqualTo("no-large-refunds"));
        });
    }

    [Test]
    public async Task ActorWithoutThePermission_IsDenied_WithoutPrivilegeExpansion()
    {
        var refunds = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Refund(refunds)),
            ScriptedReply.CallTool("refund", new { amount = 5 }),
            ScriptedReply.CallTool("refund", new { amount = 5 }),
            ScriptedReply.Answer("I am not allowed to refund."));
        var request = FailureTestKit.Request("Refund 5.", "refund") with { Identity = FailureTestKit.Identity("reader", "kit.read") };

        var result = await harness.Runtime.RunAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(refunds.Value, Is.Zero, "asking twice does not expand the actor's authority");
            Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.All.EqualTo(ToolCallOutcome.Denied));
            Assert.That(harness.Engine.Requests[0].Tools, Is.Empty, "a tool the actor may not use is never offered");
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.PolicyDecision).Select(r => r.ReasonCodes), Has.All.Contains("tool.not_allowed"));
        });
    }
}
