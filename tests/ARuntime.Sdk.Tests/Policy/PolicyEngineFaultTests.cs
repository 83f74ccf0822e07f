using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Tools;

namespace ARuntime.Sdk.Tests.Policy;

public sealed class PolicyEngineFaultTests
{
    /// <summary>A remote policy decision point whose HTTP client times out: it throws a cancellation nobody requested.</summary>
    private sealed class TimingOutDecisionPoint : IPolicyEngine
    {
        public ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default) =>
            context.Action == PolicyAction.ToolCall
                ? throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.")
                : ValueTask.FromResult(PolicyDecision.Allow("pdp/1"));
    }

    /// <summary>A custom engine (or one reading decisions from a remote service) that asks for approval without saying by whom.</summary>
    private sealed class ApprovalWithoutRoles : IPolicyEngine
    {
        public ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(context.Action == PolicyAction.ToolCall
                ? new PolicyDecision { Outcome = PolicyOutcome.RequireApproval, PolicyVersion = "pdp/1", Approval = new ApprovalRequirement { ApproverRoles = null! } }
                : PolicyDecision.Allow("pdp/1"));
    }

    [Test]
    public async Task An_approval_requirement_without_approver_roles_denies_the_call_instead_of_failing_the_request()
    {
        // Null is neither "any approver" (that would fail open) nor a list of roles: the decision is malformed.
        var runs = 0;
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool((string orderId) => ++runs, o => { o.Name = "cancel_order"; o.PermissionClass = "orders.write"; o.SideEffect = SideEffectClass.Irreversible; })
                .UsePolicyEngine(_ => new ApprovalWithoutRoles()),
            ScriptedReply.CallTool("cancel_order", new { orderId = "A-1" }),
            ScriptedReply.Answer("I could not cancel it."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "orders.write");
        var result = await harness.RunAsync("Cancel A-1", "cancel_order");

        var call = ToolTestKit.Call(result, "cancel_order");
        Assert.Multiple(() =>
        {
            Assert.That(runs, Is.Zero);
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(call.Outcome, Is.EqualTo(ToolCallOutcome.Denied));
            Assert.That(call.ReasonCodes, Does.Contain("policy.error"));
        });
    }

    /// <summary>A decision point that times out on its own for one kind of action and allows the rest.</summary>
    private sealed class TimingOutFor(PolicyAction action) : IPolicyEngine
    {
        public ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default) =>
            context.Action == action
                ? throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.")
                : ValueTask.FromResult(PolicyDecision.Allow("pdp/1"));
    }

    [Test]
    public async Task A_policy_engine_timing_out_on_its_own_about_a_deployment_excludes_it_fail_closed()
    {
        await using var harness = AgentTestHarness.Create(b => b.UsePolicyEngine(_ => new TimingOutFor(PolicyAction.ModelRoute)), ScriptedReply.Answer("never"));

        var result = await harness.RunAsync("Hello");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.NoEligibleRoute), result.Error?.Message);
            Assert.That(harness.Engine.CallCount, Is.Zero);
        });
    }

    [Test]
    public async Task A_policy_engine_that_times_out_on_its_own_denies_the_call_and_the_model_is_told()
    {
        var runs = 0;
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool((string orderId) => ++runs, o => { o.Name = "cancel_order"; o.PermissionClass = "orders.write"; o.SideEffect = SideEffectClass.Irreversible; })
                .UsePolicyEngine(_ => new TimingOutDecisionPoint()),
            ScriptedReply.CallTool("cancel_order", new { orderId = "A-1" }),
            ScriptedReply.Answer("I could not cancel it."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "orders.write");
        var result = await harness.RunAsync("Cancel A-1", "cancel_order");

        Assert.That(runs, Is.Zero);
        var call = ToolTestKit.Call(result, "cancel_order");
        Assert.That(call.Outcome, Is.EqualTo(ToolCallOutcome.Denied));
        Assert.That(call.ReasonCodes, Does.Contain("policy.error"));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("\"status\":\"denied\""));
    }
}
