using System.Globalization;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Lifecycle.Stages;

namespace ARuntime.Sdk.Budgets;

/// <summary>
/// The human-approval stage of a run resumed from a budget-extension pause: applies the approver's decision. Approval
/// raises the exhausted limit (to the proposed limit, or the approver's <c>{"limit": n}</c>) and the tool loop continues
/// where it stopped; a rejection or an expired approval ends the request with a partial (or expired) qualified result.
/// </summary>
internal sealed class BudgetExtensionStage : IRequestStage
{
    private readonly BudgetGuard guard;
    private readonly TimeProvider timeProvider;

    public BudgetExtensionStage(BudgetGuard guard, TimeProvider timeProvider)
    {
        this.guard = guard;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.HumanApproval;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var decision = context.ResumeDecision!;
        var ticket = context.PendingApproval!;
        context.ResumeDecisionApplied = true;
        context.PendingApproval = null;
        var now = timeProvider.GetUtcNow();
        BudgetExtensionTicket.TryRead(ticket, out var dimension, out _, out _);
        var error = BudgetExtensionTicket.Validate(ticket, decision, out var limit);

        string outcome;
        if (context.ResumedByExpirySweep || now >= ticket.ExpiresAt)
        {
            outcome = "expired";
            BudgetGuard.MarkNotAttempted(context, "approval.expired");
            context.Qualifications.Add($"Stopped before finishing: the {dimension} budget is exhausted and the approval to extend it expired.");
            context.Qualifications.Add(WorkSummary.Describe(context));
            context.Terminate(
                AgentRunStatus.Expired,
                new AgentError { Code = AgentErrorCodes.ApprovalExpired, Message = $"The approval to extend the {dimension} budget expired at {ticket.ExpiresAt:O}.", Stage = Stage },
                FailureKind.BudgetExhaustion,
                Stage,
                "approval.expired",
                "budget.exhausted:" + dimension);
        }
        else if (decision.Verdict == ApprovalVerdict.Reject || error is not null)
        {
            outcome = "rejected";
            BudgetGuard.MarkNotAttempted(context, "approval.rejected");
            context.Qualifications.Add($"Stopped before finishing: the {dimension} budget is exhausted and the approver declined to extend it.");
            context.Qualifications.Add(WorkSummary.Describe(context));
            context.Terminate(
                AgentRunStatus.Partial,
                new AgentError { Code = AgentErrorCodes.BudgetExhausted, Message = $"The {dimension} budget is exhausted ({context.Budget.Describe(dimension)}); the extension was rejected.", Field = "budget." + BudgetGuard.FieldName(dimension), Stage = Stage },
                FailureKind.BudgetExhaustion,
                Stage,
                "approval.rejected",
                "budget.exhausted:" + dimension);
        }
        else
        {
            outcome = decision.Verdict == ApprovalVerdict.ApproveWithChanges ? "approved_with_changes" : "approved";
            context.Budget.Extend(dimension, limit);

            // Continue the paused turn: its calls still wait to run; with none, the turn's model call runs now.
            if (context.Turn is { } turn)
            {
                turn.ResumedAfterApproval = turn.Calls.Any(c => c.Outcome is null);
            }
        }

        var denied = outcome is "expired" or "rejected";
        var payloads = decision.Comment is { Length: > 0 } comment ? new[] { context.Hasher.Digest("approval.comment", comment, context.Classification) } : null;
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.ApprovalDecided, denied ? StageOutcome.Denied : StageOutcome.Completed, now, TimeSpan.Zero, null, outcome, error is null ? [] : [error.Code],
                DecisionAttributes(context, ticket, decision, dimension),
                payloads),
            EvidenceDurability.Durable,
            cancellationToken).ConfigureAwait(false);
        if (!denied)
        {
            await guard.WriteAsync(context, Stage, dimension, "extended", StageOutcome.Completed, cancellationToken, EvidenceKinds.BudgetExtended).ConfigureAwait(false);
        }

        var result = new StageResult(outcome is "expired" ? StageOutcome.TimedOut : denied ? StageOutcome.Denied : StageOutcome.Completed, "budget_extension:" + outcome)
            .With("approval.id", ticket.ApprovalId);
        result = context.ResumedByExpirySweep ? result.With("ended.by", HumanApprovalStage.ExpirySweepMarker) : result.With("approver.id", decision.Approver.Id);
        return result.With("budget." + BudgetGuard.FieldName(dimension), denied ? string.Empty : limit.ToString(CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, string> DecisionAttributes(RequestContext context, ApprovalTicket ticket, ApprovalDecision decision, BudgetDimension dimension)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["approval.id"] = ticket.ApprovalId,
            ["approval.kind"] = ticket.Kind.ToString(),
            ["budget.dimension"] = dimension.ToString(),
        };
        if (context.ResumedByExpirySweep)
        {
            attributes["ended.by"] = HumanApprovalStage.ExpirySweepMarker;
        }
        else
        {
            attributes["approver.id"] = decision.Approver.Id;
            attributes["verdict"] = decision.Verdict.ToString();
        }

        return attributes;
    }
}
