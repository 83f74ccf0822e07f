using System.Text.Json;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 11, human approval: pause without holding compute, presenting the call, the reasons, the evidence so far and the
/// expiry. In a resumed run this stage applies the approver's decision first: approve, approve with changes (authorized
/// again before anything runs), reject (the model is told), or expiry (the request terminates safely).
/// </summary>
internal sealed class HumanApprovalStage : IRequestStage
{
    private readonly ApprovalOptions options;
    private readonly BudgetGuard budgets;
    private readonly TimeProvider timeProvider;

    public HumanApprovalStage(IOptions<ARuntimeOptions> options, BudgetGuard budgets, TimeProvider timeProvider)
    {
        this.options = options.Value.Approvals;
        this.budgets = budgets;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.HumanApproval;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (context.ResumeDecision is { } decision && !context.ResumeDecisionApplied)
        {
            return await ApplyDecisionAsync(context, decision, cancellationToken).ConfigureAwait(false);
        }

        var turn = context.Turn!;
        var pending = turn.Calls.Where(c => c.Outcome is null && c.Decision is { Outcome: PolicyOutcome.RequireApproval or PolicyOutcome.Escalate }).ToList();
        if (pending.Count == 0)
        {
            return StageResult.NotApplicable("approval.not_required");
        }

        if (!context.Budget.CanRequestReview)
        {
            // Budget exhaustion like any other (not a policy denial): the calls waiting for review are not attempted, and
            // the result and the budget record say what was and was not done.
            foreach (var call in pending)
            {
                call.Explanation = "Human review is required but the request's review budget is exhausted.";
            }

            return await budgets.StopAsync(context, BudgetDimension.HumanReviews, Stage, cancellationToken).ConfigureAwait(false);
        }

        // One approval at a time: the first pending call; others wait for their own pause after the resume.
        var target = pending[0];
        var now = timeProvider.GetUtcNow();
        var requirement = target.Decision!.Approval ?? new ApprovalRequirement();
        var expiresAfter = requirement.ExpiresAfter > TimeSpan.Zero ? requirement.ExpiresAfter : options.DefaultExpiry;
        var expiresAt = SafeTime.Add(now, expiresAfter);
        if (target.Decision.ExpiresAt is { } policyExpiry && policyExpiry < expiresAt)
        {
            expiresAt = policyExpiry;
        }

        using var redacted = JsonDocument.Parse(context.Redactor.Redact(target.EffectiveArguments.GetRawText()));
        var ticket = new ApprovalTicket
        {
            ApprovalId = Ids.NewApprovalId(now),
            RequestId = context.RequestId,
            TenantId = context.TenantId,
            RequestedBy = context.Request.Identity.Actor.Id,
            DelegatedBy = [.. context.Request.Identity.DelegatedBy.Select(d => d.DelegatorId)],
            CallId = target.Call.CallId,
            ToolName = target.Call.ToolName,
            ToolVersion = target.Descriptor!.Version,
            Arguments = redacted.RootElement.Clone(),
            SideEffect = target.Descriptor.SideEffect,
            Explanation = target.Decision.Explanation,
            ReasonCodes = target.Decision.ReasonCodes,
            PolicyVersion = target.Decision.PolicyVersion,
            Requirement = requirement,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            EvidenceRecordIds = [.. context.Evidence.Records.Select(r => r.RecordId)],
        };

        context.Budget.HumanReviews++;
        context.PendingApproval = ticket;
        context.Summarize(target);
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.ApprovalRequested, StageOutcome.Paused, now, TimeSpan.Zero, null, "pending", target.Decision.ReasonCodes,
                new AttributeMap()
                {
                    ["approval.id"] = ticket.ApprovalId,
                    ["call.id"] = ticket.CallId,
                    ["tool.name"] = ticket.ToolName,
                    ["expires_at"] = ticket.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["distinct_approver"] = requirement.RequireDistinctApprover ? "true" : "false",
                }),
            EvidenceDurability.Durable,
            cancellationToken).ConfigureAwait(false);
        context.Emit(new ApprovalRequiredEvent { RequestId = context.RequestId, Timestamp = now, Ticket = ticket });
        return new StageResult(StageOutcome.Paused, "pending:" + ticket.ApprovalId).WithReasons(target.Decision.ReasonCodes);
    }

    private async ValueTask<StageResult> ApplyDecisionAsync(RequestContext context, ApprovalDecision decision, CancellationToken cancellationToken)
    {
        context.ResumeDecisionApplied = true;
        var ticket = context.PendingApproval!;
        context.PendingApproval = null;
        var call = context.Turn!.Calls.First(c => c.Call.CallId == ticket.CallId);
        var now = timeProvider.GetUtcNow();
        string outcome;
        if (context.ResumedByExpirySweep || now >= ticket.ExpiresAt)
        {
            call.Outcome = ToolCallOutcome.Denied;
            call.Explanation = "The approval expired before a decision was made.";
            call.ReasonCodes.Add("approval.expired");
            context.Terminate(
                AgentRunStatus.Expired,
                new AgentError { Code = AgentErrorCodes.ApprovalExpired, Message = $"The approval for '{ticket.ToolName}' expired at {ticket.ExpiresAt:O}; nothing was executed.", Stage = Stage },
                FailureKind.AuthorizationDenial,
                Stage,
                "approval.expired");
            outcome = "expired";
        }
        else
        {
            switch (decision.Verdict)
            {
                case ApprovalVerdict.Approve:
                    // Authorized again before it runs: the approval satisfies an approval requirement, never a denial.
                    call.Approved = true;
                    call.ApprovedBy = decision.Approver;
                    call.Decision = null;
                    outcome = "approved";
                    break;
                case ApprovalVerdict.ApproveWithChanges:
                    call.Approved = true;
                    call.ApprovedBy = decision.Approver;
                    call.ChangedByApprover = true;
                    call.Decision = null;
                    call.EffectiveArguments = decision.ChangedArguments!.Value.Clone();
                    outcome = "approved_with_changes";
                    break;
                default:
                    call.Outcome = ToolCallOutcome.Denied;
                    call.Explanation = "A human approver rejected the call" + (string.IsNullOrWhiteSpace(decision.Comment) ? "." : ": " + decision.Comment);
                    call.ReasonCodes.Add("approval.rejected");
                    outcome = "rejected";
                    break;
            }
        }

        context.Summarize(call);
        var payloads = decision.Comment is { Length: > 0 } comment ? new[] { context.Hasher.Digest("approval.comment", comment, context.Classification) } : null;
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.ApprovalDecided, outcome is "expired" or "rejected" ? StageOutcome.Denied : StageOutcome.Completed, now, TimeSpan.Zero, null, outcome, [],
                DecisionAttributes(context, ticket, decision),
                outcome == "approved_with_changes"
                    ? [.. payloads ?? [], context.Hasher.Digest("tool.arguments.changed", call.EffectiveArguments.GetRawText(), context.Classification, context.Redactor)]
                    : payloads),
            EvidenceDurability.Durable,
            cancellationToken).ConfigureAwait(false);
        var result = new StageResult(outcome is "expired" ? StageOutcome.TimedOut : outcome is "rejected" ? StageOutcome.Denied : StageOutcome.Completed, outcome)
            .With("approval.id", ticket.ApprovalId);
        return context.ResumedByExpirySweep ? result.With("ended.by", ExpirySweepMarker) : result.With("approver.id", decision.Approver.Id);
    }

    /// <summary>The value of the <c>ended.by</c> attribute when the runtime's expiry sweep, not an approver, ended the wait.</summary>
    internal const string ExpirySweepMarker = "expiry_sweep";

    private static AttributeMap DecisionAttributes(RequestContext context, ApprovalTicket ticket, ApprovalDecision decision)
    {
        var attributes = new AttributeMap()
        {
            ["approval.id"] = ticket.ApprovalId,
            ["call.id"] = ticket.CallId,
            ["tool.name"] = ticket.ToolName,
        };
        if (context.ResumedByExpirySweep)
        {
            attributes["ended.by"] = ExpirySweepMarker;
        }
        else
        {
            attributes["approver.id"] = decision.Approver.Id;
            attributes["approver.roles"] = string.Join(',', decision.Approver.Roles);
            attributes["verdict"] = decision.Verdict.ToString();
        }

        return attributes;
    }
}
