using System.Globalization;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Policy;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Budgets;

/// <summary>
/// The "budget exhaustion" row of the failure model, in one place. The pipeline asks it before and after every stage of the
/// request body: before a stage that consumes (a model turn, a tool call) it checks the counters against the limits; after
/// every stage it reports an overrun once. On exhaustion it stops the request cleanly — either paused for a human to extend
/// the budget (when policy allows extension through approval) or with a partial, qualified result that says what was done
/// and what was not. Budget use and the termination reason go to evidence.
/// </summary>
internal sealed class BudgetGuard
{
    private readonly IPolicyEngine policy;
    private readonly BudgetOptions budgets;
    private readonly ApprovalOptions approvals;
    private readonly TimeProvider timeProvider;

    public BudgetGuard(IPolicyEngine policy, IOptions<ARuntimeOptions> options, TimeProvider timeProvider)
    {
        this.policy = policy;
        budgets = options.Value.Budgets;
        approvals = options.Value.Approvals;
        this.timeProvider = timeProvider;
    }

    /// <summary>Gets the wall time the request has used (earlier runs of a resumed request included).</summary>
    public TimeSpan WallTime(RequestContext context) => context.Budget.EarlierWallTime + timeProvider.GetElapsedTime(context.RunStartTimestamp);

    /// <summary>Gets the host's price of one call of a tool.</summary>
    public decimal ToolPrice(string toolName) => budgets.ToolPrices.TryGetValue(toolName, out var price) ? price : 0m;

    /// <summary>
    /// Checks the budget before a stage of the request body runs. Returns the stage's result when the budget stopped the
    /// request (the stage itself then does not run), or <see langword="null"/> to run it.
    /// </summary>
    public async ValueTask<StageResult?> BeforeStageAsync(LifecycleStage stage, RequestContext context, CancellationToken cancellationToken)
    {
        if (stage is < LifecycleStage.AuthorityResolution or > LifecycleStage.HumanApproval || context.Status is not null)
        {
            return null;
        }

        var ledger = context.Budget;
        var wall = WallTime(context);
        BudgetDimension? blocked = stage switch
        {
            LifecycleStage.Inference when context.Turn is { ResumedAfterApproval: false } => ledger.BlocksInference(wall),
            LifecycleStage.ToolExecution => context.Turn?.Calls.FirstOrDefault(c => c.ReadyToExecute) is { } next
                ? ledger.BlocksToolCall(wall, ToolPrice(next.Call.ToolName))
                : null,
            _ => ledger.Limits.MaxWallTime is { } max && wall >= max ? BudgetDimension.WallTime : null,
        };
        return blocked is { } dimension ? await StopAsync(context, dimension, stage, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>Checks the budget after a stage: a dimension pushed over its limit is reported once (qualification and evidence).</summary>
    public async ValueTask AfterStageAsync(LifecycleStage stage, RequestContext context, CancellationToken cancellationToken)
    {
        if (stage is < LifecycleStage.AuthorityResolution or > LifecycleStage.HumanApproval)
        {
            return;
        }

        var ledger = context.Budget;
        if (ledger.FirstOverrun(WallTime(context)) is not { } dimension || dimension == BudgetDimension.WallTime || !ledger.ReportedOverruns.Add(dimension))
        {
            return;
        }

        // The work is already paid for; nothing further that consumes will start (the next check stops the request).
        var usage = ledger.Describe(dimension);
        context.Qualifications.Add($"The {dimension} budget was exceeded during {stage} ({usage}).");
        await WriteAsync(context, stage, dimension, "exceeded", StageOutcome.Degraded, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the request because <paramref name="dimension"/> is exhausted: pauses it for a budget extension when policy
    /// allows extending through approval (and a human review is still within budget), otherwise ends it as partial (or, for
    /// wall time, timed out) with qualifications saying what was done and what was not.
    /// </summary>
    public async ValueTask<StageResult> StopAsync(RequestContext context, BudgetDimension dimension, LifecycleStage stage, CancellationToken cancellationToken)
    {
        if (dimension is not (BudgetDimension.WallTime or BudgetDimension.HumanReviews) && context.Budget.CanRequestReview)
        {
            var paused = await TryPauseForExtensionAsync(context, dimension, stage, cancellationToken).ConfigureAwait(false);
            if (paused is not null)
            {
                return paused;
            }
        }

        var ledger = context.Budget;
        var usage = ledger.Describe(dimension);
        MarkNotAttempted(context, "budget.exhausted:" + dimension);
        context.Qualifications.Add($"Stopped before finishing: the {dimension} budget is exhausted ({usage}).");
        context.Qualifications.Add(WorkSummary.Describe(context));
        var timedOut = dimension == BudgetDimension.WallTime;
        context.Terminate(
            timedOut ? AgentRunStatus.TimedOut : AgentRunStatus.Partial,
            new AgentError
            {
                Code = timedOut ? AgentErrorCodes.TimedOut : AgentErrorCodes.BudgetExhausted,
                Message = $"The {dimension} budget is exhausted ({usage}).",
                Field = "budget." + FieldName(dimension),
                Stage = stage,
            },
            FailureKind.BudgetExhaustion,
            stage,
            "budget.exhausted:" + dimension);
        await WriteAsync(context, stage, dimension, "stopped", StageOutcome.Failed, cancellationToken).ConfigureAwait(false);
        return new StageResult(timedOut ? StageOutcome.TimedOut : StageOutcome.Failed, "budget_exhausted:" + dimension)
            .WithReason("budget.exhausted:" + dimension)
            .With("usage", usage);
    }

    /// <summary>
    /// Ends a request whose deadline passed during <paramref name="stage"/>: the wall-time budget (a budget exhaustion, with
    /// what was done and what was not) or the caller's absolute deadline. Evidence is written under the grace period.
    /// </summary>
    public async ValueTask<StageResult> DeadlineAsync(RequestContext context, LifecycleStage stage)
    {
        if (context.DeadlineFromWallBudget)
        {
            return await StopAsync(context, BudgetDimension.WallTime, stage, context.GraceToken).ConfigureAwait(false);
        }

        MarkNotAttempted(context, "deadline.passed");
        context.Qualifications.Add($"Stopped before finishing: the request's deadline ({context.Request.Deadline:O}) passed during {stage}.");
        context.Qualifications.Add(WorkSummary.Describe(context));
        context.Terminate(
            AgentRunStatus.TimedOut,
            new AgentError { Code = AgentErrorCodes.TimedOut, Message = $"The request's deadline passed during {stage}.", Field = "deadline", Stage = stage },
            FailureKind.BudgetExhaustion,
            stage,
            "deadline.passed");
        return new StageResult(StageOutcome.TimedOut, "deadline").WithReason("deadline.passed");
    }

    private async ValueTask<StageResult?> TryPauseForExtensionAsync(RequestContext context, BudgetDimension dimension, LifecycleStage stage, CancellationToken cancellationToken)
    {
        var ledger = context.Budget;
        var used = ledger.Used(dimension, WallTime(context));
        var limit = ledger.Limit(dimension);
        var proposed = BudgetExtensionTicket.Propose(dimension, used, limit);
        var arguments = BudgetExtensionTicket.Arguments(dimension, used, limit, proposed);
        var now = timeProvider.GetUtcNow();
        // Fail closed: a policy that cannot decide, or decides nothing valid, extends nothing (FailClosedPolicy).
        var decision = await policy.DecideAsync(
            context.PolicyContextFor(PolicyAction.BudgetExtension, now, arguments: arguments),
            cancellationToken).ConfigureAwait(false);

        // A budget is never extended without a human decision: any outcome but a denial pauses for approval.
        if (decision.Outcome == PolicyOutcome.Deny)
        {
            return null;
        }

        var requirement = decision.Approval ?? new ApprovalRequirement();
        var expiresAt = SafeTime.Add(now, requirement.ExpiresAfter > TimeSpan.Zero ? requirement.ExpiresAfter : approvals.DefaultExpiry);
        if (decision.ExpiresAt is { } policyExpiry && policyExpiry < expiresAt)
        {
            expiresAt = policyExpiry;
        }

        var usage = ledger.Describe(dimension);
        var ticket = new ApprovalTicket
        {
            Kind = ApprovalKind.BudgetExtension,
            ApprovalId = Ids.NewApprovalId(now),
            RequestId = context.RequestId,
            TenantId = context.TenantId,
            RequestedBy = context.Request.Identity.Actor.Id,
            DelegatedBy = [.. context.Request.Identity.DelegatedBy.Select(d => d.DelegatorId)],
            CallId = "budget:" + dimension,
            ToolName = BudgetExtensionTicket.ToolName,
            ToolVersion = BudgetExtensionTicket.Version,
            Arguments = arguments,
            SideEffect = SideEffectClass.None,
            Explanation = decision.Explanation ?? string.Create(CultureInfo.InvariantCulture, $"The {dimension} budget is exhausted ({usage}); approve to raise the limit to {proposed}."),
            ReasonCodes = ["budget.exhausted:" + dimension, .. decision.ReasonCodes],
            PolicyVersion = decision.PolicyVersion,
            Requirement = requirement,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            EvidenceRecordIds = [.. context.Evidence.Records.Select(r => r.RecordId)],
        };

        ledger.HumanReviews++;
        context.PendingApproval = ticket;
        // Every call of the turn is in the paused result: those waiting to run, and those that already ran (a pause between
        // two calls of one turn comes before the validation stage that would otherwise report them).
        foreach (var call in context.Turn?.Calls.Where(c => c.ReadyToExecute || c.Outcome is not null) ?? [])
        {
            context.Summarize(call);
        }

        await WriteAsync(context, stage, dimension, "pause_for_extension", StageOutcome.Paused, cancellationToken).ConfigureAwait(false);
        await context.Evidence.WriteAsync(
            context.NewRecord(stage, EvidenceKinds.ApprovalRequested, StageOutcome.Paused, now, TimeSpan.Zero, null, "pending", ticket.ReasonCodes,
                new AttributeMap()
                {
                    ["approval.id"] = ticket.ApprovalId,
                    ["approval.kind"] = ticket.Kind.ToString(),
                    ["budget.dimension"] = dimension.ToString(),
                    ["budget.proposed_limit"] = proposed.ToString(CultureInfo.InvariantCulture),
                    ["expires_at"] = ticket.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
                    ["distinct_approver"] = requirement.RequireDistinctApprover ? "true" : "false",
                },
                versions: context.Versions with { Policy = decision.PolicyVersion }),
            EvidenceDurability.Durable,
            cancellationToken).ConfigureAwait(false);
        context.Emit(new ApprovalRequiredEvent { RequestId = context.RequestId, Timestamp = now, Ticket = ticket });
        return new StageResult(StageOutcome.Paused, "budget_extension:" + ticket.ApprovalId)
            .WithReason("budget.exhausted:" + dimension)
            .WithReasons(decision.ReasonCodes)
            .With("usage", usage);
    }

    /// <summary>Marks the calls of the current turn that have not run as not attempted, with a reason, in the result.</summary>
    internal static void MarkNotAttempted(RequestContext context, string reason)
    {
        if (context.Turn is not { } turn)
        {
            return;
        }

        foreach (var call in turn.Calls)
        {
            if (call.Outcome is not null)
            {
                // Decided already (possibly by the stage that was stopped): make sure the result shows it.
                context.Summarize(call);
                continue;
            }

            call.ReasonCodes.Add(reason);
            if (call.Attempts == 0)
            {
                call.Outcome = ToolCallOutcome.NotAttempted;
            }
            else
            {
                // Stopped while it ran: it was attempted, and a side effect may or may not have happened.
                call.Outcome = ToolCallOutcome.Failed;
                if (call.Descriptor is { SideEffect: > SideEffectClass.Read })
                {
                    call.ReasonCodes.Add("operation.in_doubt");
                    context.Uncertainty.Add($"Tool call '{call.Call.ToolName}' was stopped while it ran; whether its effect happened is unknown (operation {call.OperationKey}).");
                }
            }

            context.Summarize(call);
        }
    }

    /// <summary>Writes the budget record: the dimension, its use and limit, every counter, and what was and was not done.</summary>
    internal async ValueTask WriteAsync(RequestContext context, LifecycleStage stage, BudgetDimension dimension, string decision, StageOutcome outcome, CancellationToken cancellationToken, string kind = EvidenceKinds.BudgetExhausted)
    {
        var ledger = context.Budget;
        var attributes = Usage(context);
        attributes["dimension"] = dimension.ToString();
        attributes["usage"] = ledger.Describe(dimension);
        attributes["done"] = WorkSummary.Done(context);
        attributes["not_done"] = WorkSummary.NotDone(context);
        await context.Evidence.WriteAsync(
            context.NewRecord(stage, kind, outcome, timeProvider.GetUtcNow(), TimeSpan.Zero, null, decision, ["budget.exhausted:" + dimension], attributes),
            EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns every counter with its limit (for evidence): <c>used/limit</c>, the limit empty when unlimited.</summary>
    internal AttributeMap Usage(RequestContext context)
    {
        var ledger = context.Budget;
        var wall = WallTime(context);
        var attributes = new AttributeMap();
        foreach (var dimension in Enum.GetValues<BudgetDimension>())
        {
            var used = ledger.Used(dimension, wall);
            var limit = ledger.Limit(dimension);
            attributes["budget." + FieldName(dimension)] = string.Create(CultureInfo.InvariantCulture, $"{used}/{limit}");
        }

        return attributes;
    }

    /// <summary>The JSON name of a dimension's budget field (for example <c>maxCost</c>).</summary>
    internal static string FieldName(BudgetDimension dimension) => dimension switch
    {
        BudgetDimension.PromptTokens => "maxPromptTokens",
        BudgetDimension.GeneratedTokens => "maxGeneratedTokens",
        BudgetDimension.WallTime => "maxWallTime",
        BudgetDimension.Cost => "maxCost",
        BudgetDimension.ToolCalls => "maxToolCalls",
        BudgetDimension.Retries => "maxRetries",
        BudgetDimension.ModelTurns => "maxModelTurns",
        _ => "maxHumanReviews",
    };
}
