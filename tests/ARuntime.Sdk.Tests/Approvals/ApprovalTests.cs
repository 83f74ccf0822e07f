using System.Collections.Concurrent;
using System.Text.Json;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Approvals;

public sealed class ApprovalTests
{
    private static readonly ActorIdentity Supervisor = new() { Id = "sup-1", Roles = ["supervisor"] };
    private static readonly ActorIdentity Finance = new() { Id = "fin-1", Roles = ["finance"] };

    /// <summary>The refunds the tool executed (amounts), in order.</summary>
    private sealed class Ledger
    {
        public ConcurrentQueue<decimal> Refunds { get; } = new();
    }

    private static AgentTestHarness Harness(Ledger ledger, Action<PolicyOptions>? policy = null, ApprovalRequirement? requirement = null, TimeSpan? decisionLifetime = null, params ScriptedReply[] replies)
    {
        var harness = AgentTestHarness.Create(
            b => b
                .AddTool((string orderId, decimal amount) => { ledger.Refunds.Enqueue(amount); return new { refundId = "rf-" + orderId, amount }; }, o =>
                {
                    o.Name = "refund";
                    o.PermissionClass = "payments.refund";
                    o.SideEffect = SideEffectClass.Irreversible;
                })
                .ConfigurePolicy(p =>
                {
                    p.Rules.Add(new PolicyRule { Id = "deny-over-1000", Outcome = PolicyOutcome.Deny, Tools = ["refund"], Arguments = [Over(1000)], ReasonCodes = ["refund.over_limit"] });
                    p.Rules.Add(new PolicyRule { Id = "escalate-over-250", Outcome = PolicyOutcome.Escalate, Tools = ["refund"], Arguments = [Over(250)], Approval = new ApprovalRequirement { ApproverRoles = ["finance"] } });
                    p.Rules.Add(new PolicyRule
                    {
                        Id = "approve-over-50",
                        Outcome = PolicyOutcome.RequireApproval,
                        Tools = ["refund"],
                        Arguments = [Over(50)],
                        ReasonCodes = ["refund.needs_supervisor"],
                        Explanation = "Refunds above 50 need a supervisor.",
                        Approval = requirement ?? new ApprovalRequirement { ApproverRoles = ["supervisor", "finance"], ExpiresAfter = TimeSpan.FromHours(2) },
                        DecisionLifetime = decisionLifetime,
                    });
                    p.Rules.Add(new PolicyRule { Id = "allow-refunds", Outcome = PolicyOutcome.Allow, Tools = ["refund"] });
                    policy?.Invoke(p);
                }),
            replies);
        harness.DefaultIdentity = ToolTestKit.Identity("agent-user", "payments.refund");
        return harness;
    }

    private static ArgumentCondition Over(decimal amount) => new() { Path = "/amount", Operator = ArgumentOperator.GreaterThan, Value = ArgumentCondition.Json(amount) };

    private static ScriptedReply Refund(decimal amount) => ScriptedReply.CallTool("refund", new { orderId = "A-1", amount });

    private static ApprovalDecision Decide(AgentResult paused, ActorIdentity approver, ApprovalVerdict verdict = ApprovalVerdict.Approve, object? changes = null, string? comment = null) => new()
    {
        ApprovalId = paused.PendingApproval!.ApprovalId,
        TenantId = paused.TenantId!,
        Approver = approver,
        Verdict = verdict,
        ChangedArguments = changes is null ? null : JsonSerializer.SerializeToElement(changes, JsonSerializerOptions.Web),
        Comment = comment,
    };

    [Test]
    public async Task RequireApproval_pauses_with_a_ticket_and_runs_nothing()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120), ScriptedReply.Answer("Refunded.")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");

        Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval));
        Assert.That(ledger.Refunds, Is.Empty);
        Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
        var ticket = paused.PendingApproval!;
        Assert.Multiple(() =>
        {
            Assert.That(ticket.ToolName, Is.EqualTo("refund"));
            Assert.That(ticket.Arguments.GetProperty("amount").GetDecimal(), Is.EqualTo(120m));
            Assert.That(ticket.RequestedBy, Is.EqualTo("agent-user"));
            Assert.That(ticket.ReasonCodes, Is.EqualTo(new[] { "rule:approve-over-50", "refund.needs_supervisor" }));
            Assert.That(ticket.Explanation, Is.EqualTo("Refunds above 50 need a supervisor."));
            Assert.That(ticket.Requirement.ApproverRoles, Is.EqualTo(new[] { "supervisor", "finance" }));
            Assert.That(ticket.ExpiresAt, Is.EqualTo(harness.Time.GetUtcNow().AddHours(2)));
            Assert.That(ticket.EvidenceRecordIds, Is.Not.Empty);
            Assert.That(ticket.EvidenceRecordIds, Is.SubsetOf(harness.Evidence.ForRequest(paused.RequestId).Select(r => r.RecordId)));
        });

        var store = harness.Services.GetRequiredService<IApprovalStore>();
        var pending = new List<ApprovalTicket>();
        await foreach (var t in store.ListPendingAsync(paused.TenantId!))
        {
            pending.Add(t);
        }

        Assert.That(pending.Select(t => t.ApprovalId), Is.EqualTo(new[] { ticket.ApprovalId }));
        var requested = harness.WithDurability(paused.RequestId, "approval.requested");
        Assert.That(requested, Is.EqualTo(Evidence.EvidenceDurability.Durable));
    }

    [Test]
    public async Task An_approval_by_a_permitted_approver_runs_the_call_and_completes_the_request()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120), ScriptedReply.Answer("Refunded 120.")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        var result = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor));

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(result.RequestId, Is.EqualTo(paused.RequestId));
        Assert.That(result.Answer, Is.EqualTo("Refunded 120."));
        Assert.That(ledger.Refunds, Is.EqualTo(new[] { 120m }));
        Assert.That(result.Usage.HumanReviews, Is.EqualTo(1));
        var decided = harness.Evidence.OfKind(paused.RequestId, "approval.decided").Single();
        Assert.That(decided.Attributes["approver.id"], Is.EqualTo("sup-1"));
        Assert.That(decided.Flags, Does.Contain("resumed"));
        var authorization = harness.Evidence.OfKind(paused.RequestId, "policy.decision")[^1];
        Assert.That(authorization.ReasonCodes, Does.Contain("approval.granted"));
    }

    [Test]
    public async Task The_requester_cannot_approve_its_own_call_and_the_request_stays_pending()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, requirement: new ApprovalRequirement { ApproverRoles = [] }, replies: [Refund(120), ScriptedReply.Answer("Refunded.")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");

        var self = await harness.Runtime.ResumeAsync(Decide(paused, new ActorIdentity { Id = "agent-user", Roles = ["supervisor"] }));
        Assert.That(self.Status, Is.EqualTo(AgentRunStatus.Rejected));
        Assert.That(self.Error?.Code, Is.EqualTo(AgentErrorCodes.ApproverNotPermitted));
        Assert.That(self.Error?.Field, Is.EqualTo("approver.id"));
        Assert.That(ledger.Refunds, Is.Empty);
        Assert.That(await harness.Services.GetRequiredService<IApprovalStore>().GetAsync(paused.TenantId!, paused.PendingApproval!.ApprovalId), Is.Not.Null);
        Assert.That(harness.Evidence.OfKind(paused.RequestId, "approval.refused"), Has.Count.EqualTo(1));

        var other = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor));
        Assert.That(other.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(ledger.Refunds, Is.EqualTo(new[] { 120m }));
    }

    [Test]
    public async Task A_delegator_of_the_requester_cannot_approve()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120)]);
        harness.DefaultIdentity = harness.DefaultIdentity with
        {
            Actor = new ActorIdentity { Id = "assistant-7", Kind = ActorKind.Service, Roles = ["payments.refund"] },
            DelegatedBy = [new DelegationLink { DelegatorId = "sup-1", Scopes = ["payments.refund"] }],
        };
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval), paused.Error?.Message);
        Assert.That(paused.PendingApproval!.DelegatedBy, Is.EqualTo(new[] { "sup-1" }));
        var result = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor));
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.ApproverNotPermitted));
        Assert.That(ledger.Refunds, Is.Empty);
    }

    [Test]
    public async Task An_approver_without_a_required_role_is_refused()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120)]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        var result = await harness.Runtime.ResumeAsync(Decide(paused, new ActorIdentity { Id = "intern", Roles = ["support"] }));
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.ApproverNotPermitted));
        Assert.That(result.Error?.Field, Is.EqualTo("approver.roles"));
        Assert.That(ledger.Refunds, Is.Empty);
    }

    [Test]
    public async Task A_rejection_runs_nothing_and_the_model_is_told()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120), ScriptedReply.Answer("The refund was not approved.")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        var result = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor, ApprovalVerdict.Reject, comment: "Customer already compensated."));

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(ledger.Refunds, Is.Empty);
        Assert.That(ToolTestKit.Call(result, "refund").ReasonCodes, Does.Contain("approval.rejected"));
        var told = ToolTestKit.Prompt(harness, 1);
        Assert.That(told, Does.Contain("rejected").And.Contain("Customer already compensated."));
    }

    [Test]
    public async Task An_expired_approval_terminates_safely_without_running_anything()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120), ScriptedReply.Answer("never")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        harness.Time.Advance(TimeSpan.FromHours(2));
        var result = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor));

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Expired));
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.ApprovalExpired));
        Assert.That(ledger.Refunds, Is.Empty);
        Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
        Assert.That(await harness.Services.GetRequiredService<IApprovalStore>().GetAsync(paused.TenantId!, paused.PendingApproval!.ApprovalId), Is.Null);
    }

    [Test]
    public async Task A_shorter_policy_decision_lifetime_bounds_the_approval_expiry()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, decisionLifetime: TimeSpan.FromMinutes(30), replies: [Refund(120)]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        Assert.That(paused.PendingApproval!.ExpiresAt, Is.EqualTo(harness.Time.GetUtcNow().AddMinutes(30)));
    }

    [Test]
    public async Task Approving_with_changes_runs_the_changed_call_after_authorizing_it_again()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120), ScriptedReply.Answer("Refunded 80.")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        var result = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor, ApprovalVerdict.ApproveWithChanges, new { orderId = "A-1", amount = 80 }));

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(ledger.Refunds, Is.EqualTo(new[] { 80m }));
        var decided = harness.Evidence.OfKind(paused.RequestId, "approval.decided").Single();
        Assert.That(decided.Payloads.Select(p => p.Name), Does.Contain("tool.arguments.changed"));
    }

    [Test]
    public async Task A_change_that_raises_the_requirement_pauses_again_for_the_higher_authority()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120), ScriptedReply.Answer("Refunded 300.")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        var escalated = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor, ApprovalVerdict.ApproveWithChanges, new { orderId = "A-1", amount = 300 }));

        Assert.That(escalated.Status, Is.EqualTo(AgentRunStatus.PendingApproval));
        Assert.That(escalated.PendingApproval!.ApprovalId, Is.Not.EqualTo(paused.PendingApproval!.ApprovalId));
        Assert.That(escalated.PendingApproval.Requirement.ApproverRoles, Is.EqualTo(new[] { "finance" }));
        Assert.That(escalated.PendingApproval.ReasonCodes, Does.Contain("approval.insufficient"));
        Assert.That(ledger.Refunds, Is.Empty);

        var result = await harness.Runtime.ResumeAsync(Decide(escalated, Finance));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(ledger.Refunds, Is.EqualTo(new[] { 300m }));
        Assert.That(result.Usage.HumanReviews, Is.EqualTo(2));
    }

    [Test]
    public async Task A_change_beyond_policy_is_denied_even_when_approved()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120), ScriptedReply.Answer("Denied.")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        var result = await harness.Runtime.ResumeAsync(Decide(paused, Finance, ApprovalVerdict.ApproveWithChanges, new { orderId = "A-1", amount = 5000 }));

        Assert.That(ledger.Refunds, Is.Empty);
        Assert.That(ToolTestKit.Call(result, "refund").Outcome, Is.EqualTo(ToolCallOutcome.Denied));
        Assert.That(ToolTestKit.Call(result, "refund").ReasonCodes, Does.Contain("refund.over_limit"));
        var decision = harness.Evidence.OfKind(paused.RequestId, "policy.decision")[^1];
        Assert.That(decision.Outcome, Is.EqualTo(StageOutcome.Denied));
    }

    [Test]
    public async Task Changes_are_refused_when_the_requirement_forbids_them_or_they_violate_the_schema()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, requirement: new ApprovalRequirement { ApproverRoles = ["supervisor"], AllowChanges = false }, replies: [Refund(120)]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        var forbidden = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor, ApprovalVerdict.ApproveWithChanges, new { orderId = "A-1", amount = 80 }));
        Assert.That(forbidden.Error?.Code, Is.EqualTo(AgentErrorCodes.ApprovalChangesDenied));

        await using var other = Harness(new Ledger(), replies: [Refund(120)]);
        var paused2 = await other.RunAsync("Refund A-1 120", "refund");
        var invalid = await other.Runtime.ResumeAsync(Decide(paused2, Supervisor, ApprovalVerdict.ApproveWithChanges, new { orderId = "A-1", amount = "lots" }));
        Assert.That(invalid.Error?.Code, Is.EqualTo(AgentErrorCodes.InvalidField));
        Assert.That(invalid.Error?.Message, Does.Contain("input schema"));
    }

    [Test]
    public async Task Concurrent_resumes_run_the_call_once()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(120), ScriptedReply.Answer("Refunded."), ScriptedReply.Answer("Refunded.")]);
        var paused = await harness.RunAsync("Refund A-1 120", "refund");
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => harness.Runtime.ResumeAsync(Decide(paused, Supervisor)))));

        Assert.That(ledger.Refunds, Is.EqualTo(new[] { 120m }));
        Assert.That(results.Count(r => r.Status == AgentRunStatus.Completed), Is.EqualTo(1));
        Assert.That(results.Where(r => r.Status != AgentRunStatus.Completed).Select(r => r.Error?.Code), Is.All.EqualTo(AgentErrorCodes.ApprovalNotFound));
    }

    [Test]
    public async Task An_escalation_pauses_for_the_higher_authority_named_by_the_policy()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(300), ScriptedReply.Answer("Refunded.")]);
        var paused = await harness.RunAsync("Refund A-1 300", "refund");
        Assert.That(paused.PendingApproval!.Requirement.ApproverRoles, Is.EqualTo(new[] { "finance" }));
        var refused = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor));
        Assert.That(refused.Error?.Code, Is.EqualTo(AgentErrorCodes.ApproverNotPermitted));
        var result = await harness.Runtime.ResumeAsync(Decide(paused, Finance));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(ledger.Refunds, Is.EqualTo(new[] { 300m }));
    }

    [Test]
    public async Task A_risk_classification_requiring_review_turns_an_allowed_side_effect_into_an_approval()
    {
        var ledger = new Ledger();
        await using var harness = Harness(ledger, replies: [Refund(20), ScriptedReply.Answer("Refunded.")]);
        var request = harness.NewRequest("Refund A-1 20", "refund") with { Risk = new RiskHints { RequireReview = true } };
        var paused = await harness.Runtime.RunAsync(request);
        Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval));
        Assert.That(paused.PendingApproval!.ReasonCodes, Does.Contain("risk.review_required"));
        var result = await harness.Runtime.ResumeAsync(Decide(paused, Supervisor));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(ledger.Refunds, Is.EqualTo(new[] { 20m }));
    }

    [Test]
    public async Task An_unknown_approval_is_refused()
    {
        await using var harness = Harness(new Ledger());
        var result = await harness.Runtime.ResumeAsync(new ApprovalDecision { ApprovalId = "apr_missing", TenantId = "tenant-test", Approver = Supervisor, Verdict = ApprovalVerdict.Approve });
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.ApprovalNotFound));
    }
}

internal static class HarnessExtensions
{
    public static Evidence.EvidenceDurability? WithDurability(this AgentTestHarness harness, string requestId, string kind) =>
        harness.Evidence.WithDurability(requestId).Where(r => r.Record.Kind == kind).Select(r => (Evidence.EvidenceDurability?)r.Durability).FirstOrDefault();
}
