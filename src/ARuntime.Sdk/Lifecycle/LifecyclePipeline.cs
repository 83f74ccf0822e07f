using System.Diagnostics;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Lifecycle.Stages;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>
/// The request lifecycle, in one place: the order of the sixteen stages is fixed here and nowhere else. Admission first;
/// then authority, risk, context and route; then the tool loop (inference → tool planning → authorization → tool execution
/// → validation → human approval) until the model's answer is accepted, a budget or failure ends it, or the request pauses;
/// then, always, finalization, memory, evidence, evaluation and recovery — under a grace period even after cancellation.
/// </summary>
internal sealed class LifecyclePipeline
{
    private readonly AdmissionStage admission;
    private readonly IRequestStage[] preparation;
    private readonly IRequestStage[] loop;
    private readonly HumanApprovalStage approval;
    private readonly BudgetExtensionStage budgetExtension;
    private readonly BudgetGuard budgets;
    private readonly IRequestStage[] terminal;
    private readonly ResultBuilder results;
    private readonly IIdempotencyStore idempotency;
    private readonly IApprovalStore approvals;
    private readonly IRequestJournal journal;
    private readonly ARuntimeOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly RuntimeTelemetry telemetry;

    public LifecyclePipeline(
        AdmissionStage admission,
        AuthorityResolutionStage authority,
        RiskClassificationStage risk,
        ContextAssemblyStage context,
        ModelRouteSelectionStage route,
        InferenceStage inference,
        ToolPlanningStage planning,
        AuthorizationStage authorization,
        ToolExecutionStage execution,
        ValidationStage validation,
        HumanApprovalStage approval,
        ResponseFinalizationStage finalization,
        MemoryDecisionStage memory,
        EvidencePersistenceStage evidence,
        EvaluationStage evaluation,
        IncidentRecoveryStage recovery,
        BudgetGuard budgets,
        BudgetExtensionStage budgetExtension,
        ResultBuilder results,
        IIdempotencyStore idempotency,
        IApprovalStore approvals,
        IRequestJournal journal,
        IOptions<ARuntimeOptions> options,
        TimeProvider timeProvider,
        RuntimeLogging logging,
        RuntimeTelemetry telemetry)
    {
        this.admission = admission;
        preparation = [authority, risk, context, route];
        loop = [inference, planning, authorization, execution, validation, approval];
        this.approval = approval;
        this.budgets = budgets;
        this.budgetExtension = budgetExtension;
        terminal = [finalization, memory, evidence, evaluation, recovery];
        this.results = results;
        this.idempotency = idempotency;
        this.approvals = approvals;
        this.journal = journal;
        this.options = options.Value;
        this.timeProvider = timeProvider;
        logger = logging.CreateLogger<LifecyclePipeline>();
        this.telemetry = telemetry;
    }

    /// <summary>Runs a new request through the whole lifecycle.</summary>
    public async Task<AgentResult> RunAsync(RequestContext context, CancellationToken callerToken)
    {
        using var activity = StartRequestActivity(context);
        context.RunStartTimestamp = timeProvider.GetTimestamp();
        context.CallerToken = callerToken;
        using var grace = new GracePeriod(options.TerminationGracePeriod, timeProvider);
        grace.StartWhen(callerToken);
        context.Grace = grace;
        context.GraceToken = grace.Token;
        try
        {
            await RunStageAsync(admission, context, callerToken).ConfigureAwait(false);
            if (context.Status is not null)
            {
                return await EndAtAdmissionAsync(context).ConfigureAwait(false);
            }

            Log.RequestAdmitted(logger, context.RequestId, context.TenantId);
            await JournalAsync(context, RequestState.Running).ConfigureAwait(false);
            var wallLimit = context.Budget.Limits.MaxWallTime;
            await RunBodyAsync(context, wallLimit, resumed: false, callerToken).ConfigureAwait(false);
            return await FinishAsync(context).ConfigureAwait(false);
        }
        finally
        {
            context.Slot?.Dispose();
        }
    }

    /// <summary>Continues a paused request with an approver's decision.</summary>
    public async Task<AgentResult> ResumeAsync(RequestContext context, ApprovalDecision decision, CancellationToken callerToken)
    {
        using var activity = StartRequestActivity(context, resumed: true);
        context.RunStartTimestamp = timeProvider.GetTimestamp();
        context.CallerToken = callerToken;
        context.ResumeDecision = decision;
        using var grace = new GracePeriod(options.TerminationGracePeriod, timeProvider);
        grace.StartWhen(callerToken);
        context.Grace = grace;
        context.GraceToken = grace.Token;
        await JournalAsync(context, RequestState.Running).ConfigureAwait(false);
        var remainingWall = context.Budget.Limits.MaxWallTime is { } max ? max - context.Budget.EarlierWallTime : (TimeSpan?)null;
        await RunBodyAsync(context, remainingWall is { } r && r <= TimeSpan.Zero ? TimeSpan.FromTicks(1) : remainingWall, resumed: true, callerToken).ConfigureAwait(false);
        return await FinishAsync(context).ConfigureAwait(false);
    }

    private async Task RunBodyAsync(RequestContext context, TimeSpan? wallLimit, bool resumed, CancellationToken callerToken)
    {
        var now = timeProvider.GetUtcNow();
        DateTimeOffset? deadline = context.Request.Deadline;
        context.DeadlineFromWallBudget = false;
        if (wallLimit is { } wall && (deadline is null || SafeTime.Add(now, wall) < deadline))
        {
            deadline = SafeTime.Add(now, wall);
            context.DeadlineFromWallBudget = true;
        }

        context.EffectiveDeadline = deadline;
        using var deadlineSource = deadline is { } d ? SafeTime.CancelAfter(Max(d - now, TimeSpan.FromTicks(1)), timeProvider) : new CancellationTokenSource();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(callerToken, deadlineSource.Token);
        context.DeadlineToken = deadlineSource.Token;
        context.Grace?.StartWhen(deadlineSource.Token);
        var token = run.Token;

        if (resumed)
        {
            // A budget-extension pause resumes through the budget's own approval stage; a tool-call pause through the usual one.
            var resumeStage = context.PendingApproval?.Kind == ApprovalKind.BudgetExtension ? budgetExtension : (IRequestStage)approval;
            await RunStageAsync(resumeStage, context, token).ConfigureAwait(false);
        }
        else
        {
            foreach (var stage in preparation)
            {
                await RunStageAsync(stage, context, token).ConfigureAwait(false);
                if (context.Status is not null)
                {
                    break;
                }
            }
        }

        var continueResumedTurn = resumed;
        while (context.Status is null && !context.LoopFinished)
        {
            if (!continueResumedTurn)
            {
                context.TurnCount++;
                context.Turn = new TurnState { Number = context.TurnCount };
            }

            continueResumedTurn = false;
            foreach (var stage in loop)
            {
                await RunStageAsync(stage, context, token).ConfigureAwait(false);

                // A pause (a budget extension can pause before any loop stage) ends the pass like a terminal status.
                if (context.Status is not null || context.PendingApproval is not null)
                {
                    break;
                }
            }
        }

        // Every admitted request has a record for every stage: stages it never reached say so.
        var endedAt = context.Failure?.Stage ?? context.Error?.Stage;
        for (var stage = LifecycleStage.AuthorityResolution; stage <= LifecycleStage.HumanApproval; stage++)
        {
            if (!context.Timeline.HasRun(stage))
            {
                await RecordNotReachedAsync(context, stage, endedAt).ConfigureAwait(false);
            }
        }

        // The request ends here: its closing work gets the grace period from now.
        context.Grace?.Start();
        foreach (var stage in terminal)
        {
            await RunStageAsync(stage, context, context.GraceToken).ConfigureAwait(false);
        }
    }

    private async Task<AgentResult> FinishAsync(RequestContext context)
    {
        if (context.FinalStatus == AgentRunStatus.PendingApproval)
        {
            // The checkpoint is taken after the terminal stages so the resumed run continues the evidence sequence.
            try
            {
                var wall = context.Budget.EarlierWallTime + timeProvider.GetElapsedTime(context.RunStartTimestamp);
                await approvals.SaveAsync(
                    new PausedRequest { Ticket = context.PendingApproval!, CheckpointFormat = RequestCheckpoint.CurrentFormat, Checkpoint = CheckpointMapper.Serialize(context, wall) },
                    context.GraceToken).ConfigureAwait(false);
                Log.RequestPaused(logger, context.RequestId, context.PendingApproval!.ApprovalId, context.PendingApproval.ToolName);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                context.PendingApproval = null;
                context.OverrideStatus(AgentRunStatus.Failed, new AgentError { Code = AgentErrorCodes.Internal, Message = $"The paused request could not be saved for approval ({ex.GetType().Name}).", Stage = LifecycleStage.HumanApproval });
            }
        }

        var result = results.Build(context);
        if (context.HoldsIdempotencyKey && result.Status != AgentRunStatus.PendingApproval)
        {
            await SafeAsync(() => idempotency.CompleteAsync(context.TenantId, context.Request.IdempotencyKey!, result, context.GraceToken)).ConfigureAwait(false);
        }

        await JournalAsync(context, result.Status == AgentRunStatus.PendingApproval ? RequestState.PendingApproval : RequestState.Finished, result.Status).ConfigureAwait(false);
        context.FinalResult = result;

        // The stream's completion first: a host logger or telemetry listener that throws must not swallow it.
        context.Emit(new RunCompletedEvent { RequestId = context.RequestId, Timestamp = timeProvider.GetUtcNow(), Result = result });
        Log.RequestFinished(logger, context.RequestId, result.Status, result.Usage.ModelTurns, result.Usage.ToolCalls);
        context.Telemetry.End(result);
        return result;
    }

    /// <summary>
    /// Closes the books of a request that faulted outside any stage (the runtime's last resort): its idempotency key is
    /// completed with the failed result — a retry is answered with it rather than run again, since side effects may have
    /// happened — and its journal entry is finished. Best effort: the stores may be what failed.
    /// </summary>
    public async Task AbandonAsync(RequestContext context, AgentResult result)
    {
        if (context.HoldsIdempotencyKey)
        {
            await SafeAsync(() => idempotency.CompleteAsync(context.TenantId, context.Request.IdempotencyKey!, result, CancellationToken.None)).ConfigureAwait(false);
        }

        await JournalAsync(context, RequestState.Finished, result.Status, afterGrace: true).ConfigureAwait(false);
    }

    private async Task<AgentResult> EndAtAdmissionAsync(RequestContext context)
    {
        if (context.Error is { } error && context.Status is AgentRunStatus.Rejected)
        {
            Log.RequestRejected(logger, context.RequestId, error.Code, error.Field);
        }

        // The rejection (or duplicate) is recorded durably; if even that fails the caller still gets the typed result.
        context.Grace?.Start();
        await SafeAsync(() => context.Evidence.ReconcileAndFlushAsync(context.GraceToken)).ConfigureAwait(false);
        var result = context.PriorResult is { } prior
            ? prior
            : results.Build(context);
        context.FinalResult = result;
        context.Emit(new RunCompletedEvent { RequestId = context.RequestId, Timestamp = timeProvider.GetUtcNow(), Result = result });
        context.Telemetry.End(result);
        return result;
    }

    /// <summary>Runs one stage and writes its evidence record; a stage can end the request but can never throw out of it.</summary>
    internal async ValueTask RunStageAsync(IRequestStage stage, RequestContext context, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var startedAt = timeProvider.GetUtcNow();
        using var activity = context.Telemetry.StartStage(stage.Stage, startedAt);
        if (context.Events is not null)
        {
            context.Emit(new StageStartedEvent { RequestId = context.RequestId, Timestamp = startedAt, Stage = stage.Stage });
        }

        StageResult result;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Budgets are checked before and after every stage of the request body; an exhausted budget stops the request
            // cleanly before a stage that would consume more, and the stage's record says so.
            result = await budgets.BeforeStageAsync(stage.Stage, context, cancellationToken).ConfigureAwait(false)
                ?? await stage.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
            await budgets.AfterStageAsync(stage.Stage, context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CallerToken.IsCancellationRequested)
        {
            // Safe termination: nothing further starts; calls not yet run are reported as not attempted, and the recovery
            // stage (under the grace period) compensates side effects that already happened.
            context.Terminate(AgentRunStatus.Cancelled, new AgentError { Code = AgentErrorCodes.Cancelled, Message = $"The caller cancelled the request during {stage.Stage}.", Stage = stage.Stage }, FailureKind.Cancellation, stage.Stage, "request.cancelled");
            BudgetGuard.MarkNotAttempted(context, "request.cancelled");
            result = new StageResult(StageOutcome.Cancelled, "cancelled");
        }
        catch (OperationCanceledException) when (context.DeadlineToken.IsCancellationRequested)
        {
            // The wall-time budget or the caller's deadline: stop cleanly, saying what was done and what was not.
            result = await DeadlineAsync(context, stage.Stage).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.GraceToken.IsCancellationRequested)
        {
            // The request's closing work ran out of grace: this stage is cut short, the request's decided outcome stands.
            result = new StageResult(StageOutcome.TimedOut, "grace_period_expired").WithReason("request.grace_period_expired");
        }
        catch (EvidenceRequiredException ex)
        {
            // Trace persistence failure for evidence-required work: fail closed.
            context.Terminate(AgentRunStatus.Failed, new AgentError { Code = AgentErrorCodes.EvidenceUnavailable, Message = $"Evidence required before continuing could not be persisted at {ex.Stage}; the request stopped (fail closed).", Stage = stage.Stage }, FailureKind.TracePersistenceFailure, stage.Stage, "evidence.required_write_failed");
            result = new StageResult(StageOutcome.Failed, "evidence_unavailable").WithReason("evidence.required_write_failed");
        }
        catch (Exception ex)
        {
            Log.StageFaulted(logger, ex, context.RequestId, stage.Stage, ex.GetType().Name);
            context.Terminate(AgentRunStatus.Failed, new AgentError { Code = AgentErrorCodes.Internal, Message = $"Stage {stage.Stage} failed unexpectedly ({ex.GetType().Name}).", Stage = stage.Stage }, FailureKind.InternalFault, stage.Stage, "runtime.fault:" + ex.GetType().Name);
            result = new StageResult(StageOutcome.Failed, "fault").WithReason("runtime.fault:" + ex.GetType().Name);
        }

        if (context.Status is not null)
        {
            // The request has to end: its closing work, this stage's record included, now runs against the grace period.
            context.Grace?.Start();
        }

        var duration = timeProvider.GetElapsedTime(started);
        context.Timeline.Record(stage.Stage, result.Outcome, duration);
        context.Telemetry.EndStage(activity, stage.Stage, result, duration);
        var record = context.NewRecord(stage.Stage, EvidenceKinds.Stage, result.Outcome, startedAt, duration, context.StageSpan?.SpanId ?? Ids.NewSpanId(),
            result.Decision, result.ReasonCodes, result.Attributes, result.Payloads, classification: result.Classification);
        try
        {
            await context.Evidence.WriteAsync(record, stage.Stage == LifecycleStage.Admission && context.Status is not null ? EvidenceDurability.Durable : EvidenceDurability.Acknowledged, context.GraceToken).ConfigureAwait(false);
        }
        catch (EvidenceRequiredException)
        {
            // Already buffered and the request is marked degraded; the caller still gets its typed result.
        }
        catch (OperationCanceledException)
        {
            // The grace period ran out; the record stays in the request's buffer.
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.StageEnded(logger, context.RequestId, stage.Stage, result.Outcome, duration.TotalMilliseconds);
        }

        if (context.Events is not null)
        {
            context.Emit(new StageCompletedEvent { RequestId = context.RequestId, Timestamp = timeProvider.GetUtcNow(), Stage = stage.Stage, Outcome = result.Outcome, Duration = duration });
        }
    }

    private async ValueTask<StageResult> DeadlineAsync(RequestContext context, LifecycleStage stage)
    {
        try
        {
            return await budgets.DeadlineAsync(context, stage).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EvidenceRequiredException or OperationCanceledException)
        {
            // The status is decided; a failing evidence write leaves the request degraded, not unexplained.
            return new StageResult(StageOutcome.TimedOut, "deadline");
        }
    }

    private async ValueTask RecordNotReachedAsync(RequestContext context, LifecycleStage stage, LifecycleStage? endedAt)
    {
        context.Timeline.Record(stage, StageOutcome.NotReached, TimeSpan.Zero);
        var record = context.NewRecord(stage, EvidenceKinds.Stage, StageOutcome.NotReached, timeProvider.GetUtcNow(), TimeSpan.Zero, null, "not_reached",
            [endedAt is { } at ? "request.ended_at:" + at : "request.ended"]);
        await SafeAsync(() => context.Evidence.WriteAsync(record, EvidenceDurability.Acknowledged, context.GraceToken)).ConfigureAwait(false);
    }

    private Activity? StartRequestActivity(RequestContext context, bool resumed = false) => telemetry.StartRequest(context, resumed).Activity;

    private async ValueTask JournalAsync(RequestContext context, RequestState state, AgentRunStatus? status = null, bool afterGrace = false)
    {
        var now = timeProvider.GetUtcNow();

        // Each journal write is bounded on its own as well: the grace period's clock may not have started yet (a store that
        // hangs must not hang a request that has no deadline), or may have run out already (closing the books after a fault).
        using var bound = SafeTime.CancelAfter(options.TerminationGracePeriod, timeProvider);
        using var linked = afterGrace ? null : CancellationTokenSource.CreateLinkedTokenSource(context.GraceToken, bound.Token);
        var token = linked?.Token ?? bound.Token;
        await SafeAsync(() => journal.UpsertAsync(
            new RequestJournalEntry
            {
                RequestId = context.RequestId,
                TenantId = context.TenantId,
                ActorId = context.Request.Identity.Actor.Id,
                State = state,
                FinalStatus = state is RequestState.Finished ? status : null,
                Stage = LastStage(context),
                IdempotencyKey = context.HoldsIdempotencyKey ? context.Request.IdempotencyKey : null,
                ApprovalId = state is RequestState.PendingApproval ? context.PendingApproval?.ApprovalId : null,
                StartedAt = context.AdmittedAt,
                UpdatedAt = now,
            },
            token)).ConfigureAwait(false);
    }

    private static LifecycleStage? LastStage(RequestContext context)
    {
        var records = context.Evidence.Records;
        return records.Count > 0 ? records[^1].Stage : null;
    }

    private static async ValueTask SafeAsync(Func<ValueTask> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort: bookkeeping failures must not turn a decided outcome into an unexplained exception.
        }
    }

    private static async ValueTask SafeAsync(Func<ValueTask<int>> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort, as above.
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
