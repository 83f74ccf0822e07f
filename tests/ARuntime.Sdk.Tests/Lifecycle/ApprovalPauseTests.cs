using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Lifecycle;

/// <summary>The foundation's pause/resume path: a call that needs approval pauses the request, a decision resumes it.</summary>
public sealed class ApprovalPauseTests
{
    private static AgentTestHarness Create(SampleTools tools) => AgentTestHarness.Create(
        b =>
        {
            tools.Register(b, allowRefunds: false);
            b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "refunds-need-approval", Outcome = PolicyOutcome.RequireApproval, Tools = ["refund_order"], Approval = new ApprovalRequirement { ApproverRoles = ["supervisor"] } }));
        },
        ScriptedReply.CallTool("refund_order", new { orderId = "A-1", amount = 250 }),
        ScriptedReply.Answer("Refunded after approval."));

    [Test]
    public async Task A_call_requiring_approval_pauses_the_request_and_an_approval_completes_it()
    {
        var tools = new SampleTools();
        await using var harness = Create(tools);

        var paused = await harness.Runtime.RunAsync(Requests.Valid("refund 250", "refund_order"));
        Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval));
        var ticket = paused.PendingApproval!;
        Assert.Multiple(() =>
        {
            Assert.That(tools.Refunds, Is.Empty, "nothing runs while waiting");
            Assert.That(ticket.ToolName, Is.EqualTo("refund_order"));
            Assert.That(ticket.Arguments.GetProperty("amount").GetInt32(), Is.EqualTo(250));
            Assert.That(ticket.ExpiresAt, Is.GreaterThan(harness.Time.GetUtcNow()));
            Assert.That(ticket.EvidenceRecordIds, Is.Not.Empty);
        });

        var resumed = await harness.Runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = ticket.ApprovalId,
            TenantId = "tenant-a",
            Approver = new ActorIdentity { Id = "carol", Roles = ["supervisor"] },
            Verdict = ApprovalVerdict.Approve,
        });

        var records = harness.Evidence.ForRequest(paused.RequestId);
        Assert.Multiple(() =>
        {
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(resumed.RequestId, Is.EqualTo(paused.RequestId));
            Assert.That(tools.Refunds.Single().Amount, Is.EqualTo(250m));
            Assert.That(records.Select(r => r.Sequence), Is.Ordered.Ascending, "the resumed run continues the evidence sequence");
            Assert.That(records.Select(r => r.Sequence).Distinct().Count(), Is.EqualTo(records.Count));
            Assert.That(records.Single(r => r.Kind == EvidenceKinds.ApprovalDecided).Attributes["approver.id"], Is.EqualTo("carol"));
            Assert.That(resumed.Usage.HumanReviews, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_requester_cannot_approve_their_own_call_and_the_request_stays_pending()
    {
        var tools = new SampleTools();
        await using var harness = Create(tools);
        var paused = await harness.Runtime.RunAsync(Requests.Valid("refund", "refund_order"));

        var refused = await harness.Runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = paused.PendingApproval!.ApprovalId,
            TenantId = "tenant-a",
            Approver = new ActorIdentity { Id = "alice", Roles = ["supervisor"] },
            Verdict = ApprovalVerdict.Approve,
        });
        var status = await harness.Runtime.GetStatusAsync("tenant-a", paused.RequestId);

        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(AgentRunStatus.Rejected));
            Assert.That(refused.Error!.Code, Is.EqualTo(AgentErrorCodes.ApproverNotPermitted));
            Assert.That(status!.State, Is.EqualTo(RequestState.PendingApproval));
            Assert.That(tools.Refunds, Is.Empty);
        });
    }

    [Test]
    public async Task An_approval_that_expired_terminates_the_request_without_running_the_call()
    {
        var tools = new SampleTools();
        await using var harness = Create(tools);
        var paused = await harness.Runtime.RunAsync(Requests.Valid("refund", "refund_order"));
        harness.Time.Advance(TimeSpan.FromHours(25));

        var result = await harness.Runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = paused.PendingApproval!.ApprovalId,
            TenantId = "tenant-a",
            Approver = new ActorIdentity { Id = "carol", Roles = ["supervisor"] },
            Verdict = ApprovalVerdict.Approve,
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Expired));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.ApprovalExpired));
            Assert.That(tools.Refunds, Is.Empty);
        });
    }
}
