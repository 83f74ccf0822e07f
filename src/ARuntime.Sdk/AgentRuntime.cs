using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Telemetry;
using ARuntime.Sdk.Tools;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk;

/// <summary>
/// The <see cref="IAgentRuntime"/> facade: creates the request context and hands it to the lifecycle pipeline. It also owns
/// the approval expiry sweep, which ends requests whose approval expired without a decision.
/// </summary>
internal sealed class AgentRuntime : IAgentRuntime, IAsyncDisposable, IDisposable
{
    /// <summary>Who "decides" when the sweep ends an expired wait: the runtime itself, never an approver.</summary>
    private static readonly ActorIdentity ExpirySweepActor = new() { Id = "aruntime:approval-expiry", Kind = ActorKind.Service };

    private readonly LifecyclePipeline pipeline;
    private readonly EvidenceBuffer evidence;
    private readonly IToolRegistry tools;
    private readonly IApprovalStore approvals;
    private readonly IRequestJournal journal;
    private readonly ARuntimeOptions options;
    private readonly PayloadHasher hasher;
    private readonly IReadOnlyList<string> flags;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly Lazy<Task> recovery;
    private readonly InterruptedRequestRecovery interrupted;
    private readonly IApprovalExpiredHandler[] expiredHandlers;
    private readonly CancellationTokenSource stopping = new();
    private readonly ITimer? sweepTimer;
    private readonly Lock sweepGate = new();

    // Approvals this runtime could not end (a checkpoint it cannot read): skipped by later sweeps of this process, so that one
    // bad entry is reported once instead of every interval. Bounded by the number of such entries.
    private readonly HashSet<(string Tenant, string Approval)> unendable = [];
    private Task sweepTask = Task.CompletedTask;

    public AgentRuntime(
        LifecyclePipeline pipeline,
        EvidenceBuffer evidence,
        IToolRegistry tools,
        IApprovalStore approvals,
        IRequestJournal journal,
        InterruptedRequestRecovery interrupted,
        IEnumerable<IApprovalExpiredHandler> expiredHandlers,
        IOptions<ARuntimeOptions> options,
        TimeProvider timeProvider,
        RuntimeLogging logging)
    {
        this.pipeline = pipeline;
        this.evidence = evidence;
        this.tools = tools;
        this.approvals = approvals;
        this.journal = journal;
        this.interrupted = interrupted;
        this.expiredHandlers = [.. expiredHandlers];
        this.options = options.Value;
        this.timeProvider = timeProvider;
        logger = logging.CreateLogger<AgentRuntime>();
        hasher = new PayloadHasher(this.options.Evidence);
        var baseFlags = new List<string>();
        if (this.options.Evidence.VolatileStorageAccepted)
        {
            baseFlags.Add(EvidenceFlags.VolatileStorage);
            Log.VolatileEvidence(logger);
        }

        if (this.options.Evidence.CaptureRawContent)
        {
            baseFlags.Add(EvidenceFlags.RawContent);
        }

        baseFlags.AddRange(this.options.Evidence.AdditionalFlags);
        flags = baseFlags;
        recovery = new Lazy<Task>(RecoverInterruptedAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        if (this.options.Approvals.ExpirySweepInterval is { } interval)
        {
            var period = interval < SafeTime.MaxTimerDelay ? interval : SafeTime.MaxTimerDelay;

            // Without the creator's execution context: the runtime is often created inside some request (an HTTP request of
            // one tenant), whose activity, log scopes and async-locals must not follow every later sweep.
            using (ExecutionContext.SuppressFlow())
            {
                sweepTimer = timeProvider.CreateTimer(static state => ((AgentRuntime)state!).OnSweepTimer(), this, period, period);
            }
        }
    }

    /// <summary>Runs the start-up work now instead of on first use (recovery of interrupted requests).</summary>
    internal Task StartAsync(CancellationToken cancellationToken) => recovery.Value.WaitAsync(cancellationToken);

    public async Task<AgentResult> RunAsync(RuntimeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await recovery.Value.ConfigureAwait(false);
        RequestContext? context = null;
        try
        {
            context = CreateContext(request);
            return await pipeline.RunAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return await RecoverFromFaultAsync(nameof(RunAsync), context, request.Identity?.TenantId, ex, cancellationToken).ConfigureAwait(false);
        }
    }

    public async IAsyncEnumerable<AgentEvent> RunStreamingAsync(RuntimeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await recovery.Value.ConfigureAwait(false);
        var channel = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        RequestContext? context = null;
        try
        {
            context = CreateContext(request);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var failed = Faulted(nameof(RunStreamingAsync), null, request.Identity?.TenantId, ex, cancellationToken);
            channel.Writer.TryWrite(new RunCompletedEvent { RequestId = failed.RequestId, Timestamp = failed.CompletedAt, Result = failed });
            channel.Writer.TryComplete();
        }

        if (context is not null)
        {
            context.Events = e => channel.Writer.TryWrite(e);
        }

        // Abandoning the stream cancels the request (it then terminates safely, with evidence).
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = context is null ? Task.CompletedTask : Task.Run(async () =>
        {
            try
            {
                await pipeline.RunAsync(context, abandon.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The stream still ends with the typed result, never with the exception (once, if the books were closed).
                var finished = context.FinalResult is not null;
                var result = await RecoverFromFaultAsync(nameof(RunStreamingAsync), context, context.TenantId, ex, abandon.Token).ConfigureAwait(false);
                if (!finished)
                {
                    channel.Writer.TryWrite(new RunCompletedEvent { RequestId = result.RequestId, Timestamp = result.CompletedAt, Result = result });
                }
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            if (!run.IsCompleted)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
            }

            await run.ConfigureAwait(false);
        }
    }

    public async Task<AgentResult> ResumeAsync(ApprovalDecision decision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        await recovery.Value.ConfigureAwait(false);
        try
        {
            return await ResumeCoreAsync(decision, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Before the approval is claimed (for example an approval store that cannot be read): the decision is not
            // applied, and the caller can retry it.
            return Faulted(nameof(ResumeAsync), null, decision.TenantId, ex, cancellationToken, LifecycleStage.HumanApproval);
        }
    }

    private async Task<AgentResult> ResumeCoreAsync(ApprovalDecision decision, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(decision.TenantId) || string.IsNullOrWhiteSpace(decision.ApprovalId))
        {
            return Refused(null, decision, AgentErrorCodes.InvalidField, string.IsNullOrWhiteSpace(decision.TenantId) ? "tenantId" : "approvalId", "The decision must name the tenant and the approval.");
        }

        if (decision.Approver is null || string.IsNullOrWhiteSpace(decision.Approver.Id))
        {
            return Refused(null, decision, AgentErrorCodes.InvalidField, "approver.id", "The decision must name the approver.");
        }

        var paused = await approvals.GetAsync(decision.TenantId, decision.ApprovalId, cancellationToken).ConfigureAwait(false);
        if (paused is null)
        {
            return Refused(null, decision, AgentErrorCodes.ApprovalNotFound, "approvalId", "No pending approval has that id for that tenant (it may have been resumed already, or ended when it expired).");
        }

        var ticket = paused.Ticket;
        var refusal = CheckApprover(ticket, decision) ?? ValidateChangedArguments(ticket, decision);
        if (refusal is not null)
        {
            await RecordRefusalAsync(ticket, decision, refusal, cancellationToken).ConfigureAwait(false);
            return Refused(ticket, decision, refusal.Code, refusal.Field, refusal.Message);
        }

        var claimed = await approvals.TryClaimAsync(decision.TenantId, decision.ApprovalId, cancellationToken).ConfigureAwait(false);
        if (claimed is null)
        {
            return Refused(ticket, decision, AgentErrorCodes.ApprovalNotFound, "approvalId", "The approval was resumed by someone else.");
        }

        RequestContext context;
        try
        {
            context = await RestoreClaimedAsync(claimed).ConfigureAwait(false);
        }
        catch (UnendableApprovalException ex)
        {
            return Refused(ticket, decision, AgentErrorCodes.Internal, null, $"The paused request's checkpoint cannot be read by this runtime ({ex.InnerException!.GetType().Name}).");
        }

        try
        {
            return await pipeline.ResumeAsync(context, decision, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The approval was claimed: the resumed request is closed like a run (a retry of the decision finds it resumed).
            return await RecoverFromFaultAsync(nameof(ResumeAsync), context, decision.TenantId, ex, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends every request whose approval expired without a decision: each is claimed (so a concurrent resume cannot also run
    /// it), resumed as expired — nothing it waited for runs, the incident stage compensates its earlier side effects, its
    /// journal entry and idempotency key are closed — with the same evidence a resume after the expiry leaves.
    /// </summary>
    internal async Task<ApprovalSweepResult> SweepExpiredApprovalsAsync(CancellationToken cancellationToken)
    {
        await recovery.Value.ConfigureAwait(false);
        var expired = new List<ExpiredApproval>();
        await foreach (var approval in approvals.ListExpiredAsync(timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            expired.Add(approval);
        }

        var ended = new List<AgentResult>();
        var failed = 0;
        foreach (var approval in expired)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (unendable)
            {
                if (unendable.Contains((approval.TenantId, approval.ApprovalId)))
                {
                    failed++;
                    continue;
                }
            }

            try
            {
                if (await ExpireAsync(approval).ConfigureAwait(false) is { } result)
                {
                    ended.Add(result);
                    Log.ApprovalExpiredBySweep(logger, result.RequestId, result.Status, approval.ApprovalId, approval.ExpiresAt);
                    await NotifyExpiredAsync(approval, result, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (UnendableApprovalException ex)
            {
                // Put back for a runtime that can read it; this one reports it once and leaves it alone.
                failed++;
                lock (unendable)
                {
                    unendable.Add((approval.TenantId, approval.ApprovalId));
                }

                Log.ApprovalExpiryFailed(logger, ex.InnerException ?? ex, approval.ApprovalId, approval.RequestId, (ex.InnerException ?? ex).GetType().Name);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One approval the store cannot handle must not stop the others; it is still pending, and the next sweep retries it.
                failed++;
                Log.ApprovalExpiryFailed(logger, ex, approval.ApprovalId, approval.RequestId, ex.GetType().Name);
            }
        }

        return new ApprovalSweepResult { Ended = ended, Failed = failed };
    }

    /// <summary>
    /// Restores a paused request taken off the store (by a resume or the sweep). Whatever stops it, the paused request is put
    /// back first — it must not be lost; a runtime that can read it ends it — and <see cref="UnendableApprovalException"/>
    /// says why. If even putting it back fails, that exception propagates and the request stays claimed.
    /// </summary>
    private async Task<RequestContext> RestoreClaimedAsync(PausedRequest claimed)
    {
        try
        {
            var checkpoint = CheckpointMapper.Deserialize(claimed.Checkpoint, claimed.CheckpointFormat);
            return CheckpointMapper.Restore(checkpoint, tools, evidence, flags, options.Evidence.MaxBufferedRecords, hasher);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await approvals.SaveAsync(claimed, CancellationToken.None).ConfigureAwait(false);
            throw new UnendableApprovalException(ex);
        }
    }

    /// <summary>Tells the host's handlers; a handler that fails is logged and changes nothing.</summary>
    private async ValueTask NotifyExpiredAsync(ExpiredApproval approval, AgentResult result, CancellationToken cancellationToken)
    {
        foreach (var handler in expiredHandlers)
        {
            try
            {
                await handler.OnExpiredAsync(approval, result, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.ApprovalExpiredHandlerFailed(logger, ex, handler.GetType().Name, result.RequestId, ex.GetType().Name);
            }
        }
    }

    /// <returns>The ended request's result, or <see langword="null"/> when someone else claimed the approval first.</returns>
    private async Task<AgentResult?> ExpireAsync(ExpiredApproval approval)
    {
        // Not cancellable once claimed: a request taken off the store is always brought to its end (and its books closed).
        var claimed = await approvals.TryClaimAsync(approval.TenantId, approval.ApprovalId, CancellationToken.None).ConfigureAwait(false);
        if (claimed is null)
        {
            return null;
        }

        if (timeProvider.GetUtcNow() < claimed.Ticket.ExpiresAt)
        {
            // The store's listing disagrees with this runtime's clock or with the ticket: the approver keeps the time left.
            await approvals.SaveAsync(claimed, CancellationToken.None).ConfigureAwait(false);
            return null;
        }

        var context = await RestoreClaimedAsync(claimed).ConfigureAwait(false);
        context.ResumedByExpirySweep = true;
        var decision = new ApprovalDecision { ApprovalId = approval.ApprovalId, TenantId = approval.TenantId, Approver = ExpirySweepActor, Verdict = ApprovalVerdict.Reject };
        try
        {
            return await pipeline.ResumeAsync(context, decision, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return await RecoverFromFaultAsync(nameof(SweepExpiredApprovalsAsync), context, approval.TenantId, ex, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void OnSweepTimer()
    {
        // One sweep at a time (a tick that finds the previous sweep still running skips), and none after disposal began:
        // the task is published under the same lock disposal reads it under.
        lock (sweepGate)
        {
            if (stopping.IsCancellationRequested || !sweepTask.IsCompleted)
            {
                return;
            }

            sweepTask = Task.Run(async () =>
            {
                try
                {
                    await SweepExpiredApprovalsAsync(stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    // Disposed between two approvals: the next sweep (of this or another process) ends the rest.
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Log.ApprovalSweepFailed(logger, ex, ex.GetType().Name);
                }
            });
        }
    }

    // The grace period, within what a wait can hold (a host may set months; Task.Wait takes at most int.MaxValue ms).
    private TimeSpan DisposeWait => options.TerminationGracePeriod < TimeSpan.FromMilliseconds(int.MaxValue) ? options.TerminationGracePeriod : TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Stops the schedule; returns the sweep in progress, if any.</summary>
    private Task StopSweeping()
    {
        sweepTimer?.Dispose();
        lock (sweepGate)
        {
            stopping.Cancel();
            return sweepTask;
        }
    }

    public void Dispose()
    {
        // A sweep stops between approvals; one that already claimed an approval brings that request to its end before the
        // stores it writes to are disposed. Bounded, so that a store that hangs cannot hang the host's shutdown.
        if (!StopSweeping().Wait(DisposeWait))
        {
            Log.ApprovalSweepAbandoned(logger);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var sweep = StopSweeping();
        try
        {
            await sweep.WaitAsync(DisposeWait, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.ApprovalSweepAbandoned(logger);
        }
    }

    /// <summary>A claimed paused request this runtime cannot restore (it was put back for a runtime that can); the inner exception says why.</summary>
    private sealed class UnendableApprovalException(Exception inner) : Exception("The paused request's checkpoint cannot be restored by this runtime.", inner);

    public async Task<RequestStatus?> GetStatusAsync(string tenantId, string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        await recovery.Value.ConfigureAwait(false);
        RequestJournalEntry? entry;
        try
        {
            entry = await journal.GetAsync(tenantId, requestId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw new RequestJournalUnavailableException($"The request journal could not be read ({ex.GetType().Name}); retry once the store recovers.", ex);
        }
        if (entry is null || !string.Equals(entry.TenantId, tenantId, StringComparison.Ordinal))
        {
            return null;
        }

        return new RequestStatus
        {
            RequestId = entry.RequestId,
            TenantId = entry.TenantId,
            State = entry.State,
            FinalStatus = entry.FinalStatus,
            Stage = entry.Stage,
            StartedAt = entry.StartedAt,
            UpdatedAt = entry.UpdatedAt,
            ApprovalId = entry.ApprovalId,
        };
    }

    private RequestContext CreateContext(RuntimeRequest request)
    {
        var now = timeProvider.GetUtcNow();
        var requestId = Ids.NewRequestId(now);
        var traceId = request.Trace is { } trace && TraceContext.IsValidTraceId(trace.TraceId) ? trace.TraceId : Ids.NewTraceId();
        var limits = BudgetLimits.Resolve(request.Budget ?? Budget.HostDefaults, options.Budgets);
        var recorder = new EvidenceRecorder(evidence, flags, options.Evidence.MaxBufferedRecords);
        var context = new RequestContext(requestId, request, now, new BudgetLedger(limits), recorder, hasher, traceId)
        {
            ParentSpanId = request.Trace?.SpanId,
        };
        context.Versions = new VersionSet { Application = request.Identity?.Workload?.Release ?? options.ApplicationRelease, Runtime = ARuntimeDiagnostics.RuntimeVersion, Policy = options.Policy.Version, Schema = request.Output?.SchemaVersion };
        return context;
    }

    private static AgentError? CheckApprover(ApprovalTicket ticket, ApprovalDecision decision)
    {
        var approver = decision.Approver;
        var requirement = ticket.Requirement;
        if (requirement.RequireDistinctApprover
            && (string.Equals(approver.Id, ticket.RequestedBy, StringComparison.Ordinal) || ticket.DelegatedBy.Contains(approver.Id, StringComparer.Ordinal)))
        {
            return new AgentError { Code = AgentErrorCodes.ApproverNotPermitted, Field = "approver.id", Message = "Policy requires an approver other than the requester and its delegators.", Stage = LifecycleStage.HumanApproval };
        }

        if (requirement.ApproverRoles.Count > 0 && !requirement.ApproverRoles.Any(role => approver.Roles.Contains(role, StringComparer.Ordinal)))
        {
            return new AgentError { Code = AgentErrorCodes.ApproverNotPermitted, Field = "approver.roles", Message = $"The approver must hold one of the roles: {string.Join(", ", requirement.ApproverRoles)}.", Stage = LifecycleStage.HumanApproval };
        }

        if (decision.Verdict == ApprovalVerdict.ApproveWithChanges)
        {
            if (!requirement.AllowChanges)
            {
                return new AgentError { Code = AgentErrorCodes.ApprovalChangesDenied, Field = "changedArguments", Message = "This approval does not allow changing the arguments.", Stage = LifecycleStage.HumanApproval };
            }

            if (decision.ChangedArguments is not { ValueKind: System.Text.Json.JsonValueKind.Object })
            {
                return new AgentError { Code = AgentErrorCodes.InvalidField, Field = "changedArguments", Message = "Approving with changes needs the changed arguments as a JSON object.", Stage = LifecycleStage.HumanApproval };
            }
        }

        return null;
    }

    private AgentError? ValidateChangedArguments(ApprovalTicket ticket, ApprovalDecision decision)
    {
        if (ticket.Kind == ApprovalKind.BudgetExtension)
        {
            // Checked before the approval is claimed, so a bad limit leaves the request waiting for a valid decision.
            return BudgetExtensionTicket.Validate(ticket, decision, out _);
        }

        if (decision.Verdict != ApprovalVerdict.ApproveWithChanges || !tools.TryGetTool(ticket.ToolName, out var tool))
        {
            return null;
        }

        var validation = JsonSchemaValidator.Shared.Validate(tool.Descriptor.InputSchema, decision.ChangedArguments!.Value);
        return validation.IsValid
            ? null
            : new AgentError { Code = AgentErrorCodes.InvalidField, Field = "changedArguments", Message = "The changed arguments do not satisfy the tool's input schema: " + string.Join("; ", validation.Errors.Take(3)), Stage = LifecycleStage.HumanApproval };
    }

    private async ValueTask RecordRefusalAsync(ApprovalTicket ticket, ApprovalDecision decision, AgentError error, CancellationToken cancellationToken)
    {
        // Out of the request's numbered sequence (sequence 0): the paused request itself is unchanged.
        var record = new EvidenceRecord
        {
            RecordId = Ids.NewRecordId(timeProvider.GetUtcNow()),
            RequestId = ticket.RequestId,
            TenantId = ticket.TenantId,
            Sequence = 0,
            Stage = LifecycleStage.HumanApproval,
            Kind = EvidenceKinds.ApprovalRefused,
            Outcome = StageOutcome.Rejected,
            Decision = error.Code,
            ReasonCodes = [error.Code],
            Timestamp = timeProvider.GetUtcNow(),
            ActorId = decision.Approver.Id,
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["approval.id"] = ticket.ApprovalId, ["approver.id"] = decision.Approver.Id, ["verdict"] = decision.Verdict.ToString() },
            Flags = flags,
        };
        try
        {
            await evidence.WriteAsync(record, EvidenceDurability.Durable, cancellationToken).ConfigureAwait(false);
        }
        catch (EvidenceWriteException)
        {
            // The refusal stands either way; the caller is told.
        }
    }

    /// <summary>
    /// After a fault escaped the lifecycle: a request whose books were already closed keeps its decided result (the fault is
    /// logged); otherwise the caller gets a typed failure and the request's journal entry and idempotency key are closed
    /// with it.
    /// </summary>
    private async Task<AgentResult> RecoverFromFaultAsync(string operation, RequestContext? context, string? tenantId, Exception exception, CancellationToken cancellationToken)
    {
        if (context?.FinalResult is { } finished)
        {
            Log.RuntimeFaultedAfterFinish(logger, exception, operation, context.RequestId, exception.GetType().Name);
            return finished;
        }

        var failed = Faulted(operation, context?.RequestId, tenantId, exception, cancellationToken);
        if (context is not null)
        {
            await pipeline.AbandonAsync(context, failed).ConfigureAwait(false);
        }

        return failed;
    }

    /// <summary>
    /// The last resort for a fault nothing inside the runtime anticipated (a store or host component breaking its contract):
    /// the caller still gets a typed result, and the host log has the exception.
    /// </summary>
    private AgentResult Faulted(string operation, string? requestId, string? tenantId, Exception exception, CancellationToken cancellationToken, LifecycleStage? stage = null)
    {
        var cancelled = exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
        if (!cancelled)
        {
            Log.RuntimeFaulted(logger, exception, operation, exception.GetType().Name);
        }

        return new AgentResult
        {
            RequestId = requestId ?? string.Empty,
            TenantId = tenantId,
            Status = cancelled ? AgentRunStatus.Cancelled : AgentRunStatus.Failed,
            Error = cancelled
                ? new AgentError { Code = AgentErrorCodes.Cancelled, Message = "The caller cancelled the request.", Stage = stage }
                : new AgentError { Code = AgentErrorCodes.Internal, Message = $"The runtime failed unexpectedly ({exception.GetType().Name}); the host log has the details.", Stage = stage },
            CompletedAt = timeProvider.GetUtcNow(),
        };
    }

    private AgentResult Refused(ApprovalTicket? ticket, ApprovalDecision decision, string code, string? field, string message) => new()
    {
        RequestId = ticket?.RequestId ?? string.Empty,
        TenantId = decision.TenantId,
        Status = AgentRunStatus.Rejected,
        Error = new AgentError { Code = code, Field = field, Message = message, Stage = LifecycleStage.HumanApproval },
        PendingApproval = ticket,
        CompletedAt = timeProvider.GetUtcNow(),
    };

    /// <summary>Finds requests a previous process left running and records them as interrupted, with their evidence.</summary>
    private async Task RecoverInterruptedAsync()
    {
        try
        {
            await interrupted.RecoverAsync(flags, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Recovery must never make the runtime unusable (every call awaits it): it is retried by the next process start.
            Log.RecoveryFailed(logger, ex.GetType().Name);
        }
    }
}
