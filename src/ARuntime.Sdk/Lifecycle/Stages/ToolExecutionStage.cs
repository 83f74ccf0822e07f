using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 9, tool execution: run authorized calls with timeout, idempotency, concurrency limits, exception isolation and
/// observability. A side-effecting call takes its operation key's lease in the process (a concurrent duplicate waits and
/// reuses the result), claims the key in the operation ledger (so it never runs twice, also across a crash), is registered in
/// the request's saga log and recorded durably before it runs, and is retried only when repeating it is harmless (a read, an
/// idempotent operation, or a status query that rules out an earlier effect) and within the retry budget. After a timeout,
/// an exception or a crash its status query decides, never a blind retry. Resolved credentials are redacted from the result
/// before anything — ledger, saga log, evidence, model — sees it.
/// </summary>
internal sealed class ToolExecutionStage : IRequestStage
{
    private readonly ToolRegistry? registry;
    private readonly IOperationLedger ledger;
    private readonly OperationCoordinator coordinator;
    private readonly IRequestJournal journal;
    private readonly ISecretResolver? secrets;
    private readonly IServiceProvider services;
    private readonly BudgetGuard guard;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan requestStopWait;

    public ToolExecutionStage(IToolRegistry tools, IOperationLedger ledger, OperationCoordinator coordinator, IRequestJournal journal, IServiceProvider services, BudgetGuard guard, TimeProvider timeProvider, IOptions<ARuntimeOptions> options)
    {
        // When the request itself stops (the caller cancels, the deadline passes), a tool that ignores cancellation gets at
        // most half the termination grace period to end: the other half is the recovery stage's, to compensate and record.
        requestStopWait = options.Value.TerminationGracePeriod / 2;
        this.guard = guard;
        registry = tools as ToolRegistry;
        this.ledger = ledger;
        this.coordinator = coordinator;
        this.journal = journal;
        secrets = services.GetService<ISecretResolver>();
        this.services = services;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.ToolExecution;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var turn = context.Turn!;
        var ready = turn.Calls.Where(c => c.ReadyToExecute).ToList();
        if (ready.Count == 0)
        {
            return StageResult.NotApplicable(turn.ProposedAnswer is not null ? "model.answered" : "no_authorized_calls");
        }

        int succeeded = 0, failed = 0, deduplicated = 0;
        foreach (var call in ready)
        {
            var price = guard.ToolPrice(call.Call.ToolName);
            if (context.Budget.BlocksToolCall(guard.WallTime(context), price) is { } dimension)
            {
                // The same stop as before the stage (the pipeline's check covers only the turn's first call): a pause when
                // policy allows extending the budget, else a partial result saying what was and was not done.
                var stopped = await guard.StopAsync(context, dimension, Stage, cancellationToken).ConfigureAwait(false);
                return stopped.WithReasons(ready.SelectMany(c => c.ReasonCodes.Select(r => c.Call.ToolName + ":" + r)));
            }

            if (call.Decision?.ExpiresAt is { } expiresAt && timeProvider.GetUtcNow() >= expiresAt)
            {
                // The authorization went stale while earlier calls ran: never act on an expired decision.
                call.Outcome = ToolCallOutcome.Denied;
                call.Explanation = "The policy decision authorizing this call expired before it could run.";
                call.ReasonCodes.Add("policy.decision_expired");
                failed++;
                continue;
            }

            await ExecuteAsync(context, call, price, cancellationToken).ConfigureAwait(false);
            switch (call.Outcome)
            {
                case ToolCallOutcome.Succeeded:
                    succeeded++;
                    break;
                case ToolCallOutcome.Deduplicated:
                    deduplicated++;
                    break;
                default:
                    failed++;
                    break;
            }
        }

        var outcome = failed == 0 ? StageOutcome.Completed : succeeded + deduplicated > 0 ? StageOutcome.Degraded : StageOutcome.Failed;
        return new StageResult(outcome, $"succeeded={succeeded};failed={failed};deduplicated={deduplicated}")
            .WithReasons(ready.SelectMany(c => c.ReasonCodes.Select(r => c.Call.ToolName + ":" + r)));
    }

    private async ValueTask ExecuteAsync(RequestContext context, PlannedCall call, decimal price, CancellationToken cancellationToken)
    {
        var descriptor = call.Descriptor!;
        var started = timeProvider.GetTimestamp();
        var startedAt = timeProvider.GetUtcNow();
        using var activity = context.Telemetry.StartTool(call);

        var scope = context.Request.IdempotencyKey ?? context.RequestId;
        var operationKey = OperationKeys.Derive(context.TenantId, scope, descriptor, call.EffectiveArguments);
        call.OperationKey = operationKey;
        var ledgered = descriptor.SideEffect > SideEffectClass.Read || descriptor.Idempotency.Kind == IdempotencyKind.OperationKey;

        // One execution per operation key at a time in this process: a concurrent duplicate waits, then finds the result.
        OperationCoordinator.Lease? lease = null;
        try
        {
            if (ledgered)
            {
                lease = await AcquireLeaseAsync(context, call, operationKey, cancellationToken).ConfigureAwait(false);
                if (!await ClaimOperationAsync(context, call, operationKey, cancellationToken).ConfigureAwait(false))
                {
                    await RecordAsync(context, call, startedAt, timeProvider.GetElapsedTime(started), activity, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            await RunClaimedAsync(context, call, operationKey, ledgered, price, startedAt, activity, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lease?.Dispose();
        }

        await RecordAsync(context, call, startedAt, timeProvider.GetElapsedTime(started), activity, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RunClaimedAsync(RequestContext context, PlannedCall call, string operationKey, bool ledgered, decimal price, DateTimeOffset startedAt, Activity? activity, CancellationToken cancellationToken)
    {
        var descriptor = call.Descriptor!;
        var tool = call.Tool!;
        var executedCall = call.Call with { Arguments = call.EffectiveArguments };
        SideEffectEntry? saga = null;
        SecretValue? credential = null;
        var invoked = false;
        try
        {
            if (descriptor.SideEffect > SideEffectClass.Read)
            {
                // Saga: the compensation is registered before the step runs; the start is durable before the side effect.
                saga = new SideEffectEntry
                {
                    CallId = call.Call.CallId,
                    ToolName = descriptor.Name,
                    ToolVersion = descriptor.Version,
                    SideEffect = descriptor.SideEffect,
                    OperationKey = operationKey,
                    Call = executedCall,
                    Compensable = descriptor.Compensation is not null,
                };
                context.SideEffects.Entries.Add(saga);
                await context.Evidence.WriteAsync(
                    context.NewRecord(Stage, EvidenceKinds.ToolStarted, StageOutcome.Completed, startedAt, TimeSpan.Zero, activity?.SpanId.ToHexString(), "started", [],
                        new AttributeMap() { ["call.id"] = call.Call.CallId, ["tool.name"] = descriptor.Name, ["operation.key"] = operationKey, ["side_effect"] = descriptor.SideEffect.ToString() },
                        versions: context.Versions with { Tool = descriptor.Name + "@" + descriptor.Version }),
                    EvidenceDurability.Durable,
                    cancellationToken).ConfigureAwait(false);
            }

            if (descriptor.AuthReference is { } reference)
            {
                credential = await ResolveCredentialAsync(context, call, reference, cancellationToken).ConfigureAwait(false);
                if (credential is null)
                {
                    await ForgetAsync(context, saga, ledgered, operationKey).ConfigureAwait(false);
                    return;
                }
            }

            var limiter = registry?.GetLimiter(descriptor.Name);
            if (limiter is not null)
            {
                await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            RunOutcome run;
            var abandoned = new StrongBox<Task?>();
            try
            {
                invoked = true;
                run = await RunWithRetriesAsync(context, call, tool, executedCall, operationKey, credential, abandoned, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // An abandoned invocation still runs: it keeps its slot until it ends, so the concurrency limit stays true.
                if (limiter is not null)
                {
                    if (abandoned.Value is { IsCompleted: false } running)
                    {
                        _ = running.ContinueWith(static (_, state) => ((SemaphoreSlim)state!).Release(), limiter, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }
                    else
                    {
                        limiter.Release();
                    }
                }
            }

            await ConcludeAsync(context, call, run, saga, ledgered, operationKey, price).ConfigureAwait(false);
        }
        catch (Exception) when (!invoked)
        {
            // Nothing ran (evidence outage, cancellation, limiter wait): the operation provably took no effect.
            await ForgetAsync(context, saga, ledgered, operationKey).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException)
        {
            // Cancelled while the tool ran: its effect is unknown. The ledger keeps the start (in doubt) and recovery
            // compensates or reports it; a retry of the request reconciles through the status query.
            if (saga is not null)
            {
                saga.State = SideEffectState.Executed;
                saga.OutcomeUnknown = true;
                saga.CompensationDetail = "outcome unknown after cancellation";
            }

            call.Outcome = ToolCallOutcome.NotAttempted;
            call.ReasonCodes.Add("tool.cancelled");
            throw;
        }
    }

    private async ValueTask ConcludeAsync(RequestContext context, PlannedCall call, RunOutcome run, SideEffectEntry? saga, bool ledgered, string operationKey, decimal price)
    {
        // The redacted result is the only one anything downstream sees (ledger, saga, evidence, model, duplicates).
        var result = run.Result is { } raw ? context.Redactor.Redact(raw) : null;
        call.Result = result;

        // The tool ran, whatever came of it: a failed or timed-out call counts against the tool-call and cost budgets too.
        context.Budget.ToolCalls++;
        context.Budget.Cost += price;
        if (run.Unknown)
        {
            call.Outcome = run.TimedOut ? ToolCallOutcome.TimedOut : ToolCallOutcome.Failed;
            call.ReasonCodes.Add(run.TimedOut ? "tool.timeout" : "tool.outcome_unknown");
            call.Result = ToolResult.Failure(run.TimedOut ? "The tool timed out; whether it took effect is unknown, so it was not repeated." : "The tool failed; whether it took effect is unknown, so it was not repeated.");

            // Nobody knows whether the effect happened: the ledger entry stays started (in doubt) and is never blindly rerun.
            if (saga is not null)
            {
                saga.State = SideEffectState.Executed;
                saga.OutcomeUnknown = true;
                saga.CompensationDetail = run.TimedOut ? "outcome unknown after timeout" : "outcome unknown after an exception";
            }

            return;
        }

        switch (result!.Status)
        {
            case ToolResultStatus.Succeeded or ToolResultStatus.Pending:
                call.Outcome = ToolCallOutcome.Succeeded;
                if (result.Status == ToolResultStatus.Pending)
                {
                    call.ReasonCodes.Add("tool.pending");
                }

                MarkExecuted(saga, result);
                await CompleteAsync(context, call, ledgered, operationKey, result).ConfigureAwait(false);
                break;
            case ToolResultStatus.Partial:
                call.Outcome = ToolCallOutcome.Failed;
                call.ReasonCodes.Add("tool.partial");
                MarkExecuted(saga, result);
                await CompleteAsync(context, call, ledgered, operationKey, result).ConfigureAwait(false);
                break;
            default:
                call.Outcome = run.TimedOut ? ToolCallOutcome.TimedOut : ToolCallOutcome.Failed;
                call.ReasonCodes.Add(run.TimedOut ? "tool.timeout" : "tool.failed");
                await ForgetAsync(context, saga, ledgered, operationKey).ConfigureAwait(false);
                break;
        }
    }

    private static void MarkExecuted(SideEffectEntry? saga, ToolResult result)
    {
        if (saga is not null)
        {
            saga.State = SideEffectState.Executed;
            saga.Result = result;
            saga.ChangedResources = result.ChangedResources;
        }
    }

    private async ValueTask CompleteAsync(RequestContext context, PlannedCall call, bool ledgered, string operationKey, ToolResult result)
    {
        if (!ledgered)
        {
            return;
        }

        try
        {
            // Recorded even if the request was cancelled meanwhile: the effect happened and must never be repeated.
            await ledger.CompleteAsync(context.TenantId, operationKey, result, context.GraceToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The start stays recorded, so a repeat reconciles through the status query instead of running again.
            call.ReasonCodes.Add("ledger.record_failed:" + ex.GetType().Name);
        }
    }

    /// <summary>Forgets a started operation that provably took no effect (so a later attempt may run it).</summary>
    private async ValueTask ForgetAsync(RequestContext context, SideEffectEntry? saga, bool ledgered, string operationKey)
    {
        if (saga is not null)
        {
            saga.State = SideEffectState.NotExecuted;
        }

        if (ledgered)
        {
            try
            {
                // Only our own start: if another request took the operation over meanwhile, its start stays.
                await ledger.AbandonAsync(context.TenantId, operationKey, context.RequestId, context.GraceToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Left in doubt: a repeat asks the status query (safe, if pessimistic).
            }
        }
    }

    private async ValueTask<SecretValue?> ResolveCredentialAsync(RequestContext context, PlannedCall call, string reference, CancellationToken cancellationToken)
    {
        var credential = await ToolCredentials.ResolveAsync(secrets, context, call.Call.ToolName, reference, cancellationToken).ConfigureAwait(false);
        if (credential is null)
        {
            // A credential that cannot be resolved fails the call, not the request.
            call.Outcome = ToolCallOutcome.Failed;
            call.ReasonCodes.Add("credential.unavailable");
            call.Result = ToolResult.Failure($"The credential '{reference}' could not be resolved.");
        }

        return credential;
    }

    private async ValueTask<OperationCoordinator.Lease> AcquireLeaseAsync(RequestContext context, PlannedCall call, string operationKey, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            var lease = coordinator.TryAcquire(context.TenantId, operationKey, out var released);
            if (lease is not null)
            {
                return lease;
            }

            if (!waited)
            {
                waited = true;
                call.ReasonCodes.Add("operation.waited_for_duplicate");
            }

            await released!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Claims the operation key; returns false when the call must not run (duplicate, in progress, or in doubt and unreconcilable).</summary>
    private async ValueTask<bool> ClaimOperationAsync(RequestContext context, PlannedCall call, string operationKey, CancellationToken cancellationToken)
    {
        var claim = await ledger.TryStartAsync(context.TenantId, operationKey, call.Call.ToolName, context.RequestId, cancellationToken).ConfigureAwait(false);
        switch (claim.Status)
        {
            case OperationClaimStatus.Started:
                return true;
            case OperationClaimStatus.Completed:
                Deduplicate(call, claim.Result ?? ToolResult.Success(default), "operation.already_completed");
                return false;
        }

        // In doubt: started before without a recorded result. Reconcile through the status query; never blindly run again.
        call.ReasonCodes.Add("operation.in_doubt");
        if (!call.Descriptor!.SupportsStatusQuery)
        {
            call.Outcome = ToolCallOutcome.Failed;
            call.Result = ToolResult.Failure("An earlier attempt of this operation may have taken effect and its status cannot be queried; it was not repeated.");
            return false;
        }

        // The status query speaks to the same system as the call, with the same credential.
        SecretValue? credential = null;
        if (call.Descriptor.AuthReference is { } reference)
        {
            credential = await ResolveCredentialAsync(context, call, reference, cancellationToken).ConfigureAwait(false);
            if (credential is null)
            {
                return false;
            }
        }

        var status = await QueryStatusAsync(context, call, call.Tool!, operationKey, call.Call with { Arguments = call.EffectiveArguments }, credential, cancellationToken).ConfigureAwait(false);
        switch (status.State)
        {
            case OperationState.Succeeded:
                var result = context.Redactor.Redact(status.Result ?? ToolResult.Success(default));
                await ledger.CompleteAsync(context.TenantId, operationKey, result, cancellationToken).ConfigureAwait(false);
                Deduplicate(call, result, "operation.reconciled_succeeded");
                return false;
            case OperationState.NotFound or OperationState.Failed when !await StarterMayBeRunningAsync(context, claim.StartedByRequestId, cancellationToken).ConfigureAwait(false):
                // The system of record shows no effect and whoever started it has stopped: the operation may run.
                // Compare-and-set on the starter: of two requests reconciling the same operation, one forgets it and starts
                // again; the other finds that new start below and does not run the operation a second time.
                if (claim.StartedByRequestId is { } starter)
                {
                    await ledger.AbandonAsync(context.TenantId, operationKey, starter, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await ledger.AbandonAsync(context.TenantId, operationKey, cancellationToken).ConfigureAwait(false);
                }

                var retry = await ledger.TryStartAsync(context.TenantId, operationKey, call.Call.ToolName, context.RequestId, cancellationToken).ConfigureAwait(false);
                call.ReasonCodes.Add("operation.reconciled_not_found");
                if (retry.Status == OperationClaimStatus.Started)
                {
                    return true;
                }

                call.Outcome = ToolCallOutcome.Failed;
                call.Result = ToolResult.Failure("Another attempt of this operation started meanwhile; it was not repeated.");
                return false;
            case OperationState.NotFound or OperationState.Failed:
                call.Outcome = ToolCallOutcome.Failed;
                call.ReasonCodes.Add("operation.in_progress");
                call.Result = ToolResult.Failure("The same operation is being executed by another request; it was not repeated.");
                return false;
            default:
                call.Outcome = ToolCallOutcome.Failed;
                call.ReasonCodes.Add(status.State == OperationState.Pending ? "operation.pending" : "operation.status_unknown");
                call.Result = ToolResult.Failure("An earlier attempt of this operation is still in progress or its status is unknown; it was not repeated.");
                return false;
        }
    }

    /// <summary>Whether the request that started an in-doubt operation may still be executing it (then it is not ours to reconcile).</summary>
    private async ValueTask<bool> StarterMayBeRunningAsync(RequestContext context, string? starter, CancellationToken cancellationToken)
    {
        if (starter is null || string.Equals(starter, context.RequestId, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var entry = await journal.GetAsync(context.TenantId, starter, cancellationToken).ConfigureAwait(false);
            return entry is { State: RequestState.Running };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return true;
        }
    }

    private static void Deduplicate(PlannedCall call, ToolResult result, string reason)
    {
        call.Outcome = result.Status is ToolResultStatus.Failed ? ToolCallOutcome.Failed : ToolCallOutcome.Deduplicated;
        call.Result = result;
        call.ReasonCodes.Add(reason);
    }

    private async ValueTask<RunOutcome> RunWithRetriesAsync(RequestContext context, PlannedCall call, AgentTool tool, ToolCall executedCall, string operationKey, SecretValue? credential, StrongBox<Task?> abandoned, CancellationToken cancellationToken)
    {
        var descriptor = call.Descriptor!;
        var sideEffecting = descriptor.SideEffect > SideEffectClass.Read;
        var idempotent = !sideEffecting || descriptor.Idempotency.Kind != IdempotencyKind.None;
        for (var attempt = 1; ; attempt++)
        {
            call.Attempts = attempt;
            var timedOut = false;
            var threw = false;
            ToolResult? result = null;
            using (var timeout = SafeTime.CancelAfter(descriptor.Timeout, timeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    var invocation = tool.InvokeAsync(
                        new ToolInvocation
                        {
                            Call = executedCall,
                            OperationKey = operationKey,
                            RequestId = context.RequestId,
                            Identity = context.Request.Identity,
                            Attempt = attempt,
                            Credential = credential,
                            Services = services,
                        },
                        linked.Token);
                    if (invocation.IsCompleted)
                    {
                        result = await invocation.ConfigureAwait(false);
                    }
                    else
                    {
                        var task = invocation.AsTask();
                        if (!await EndsOnceToldToStopAsync(task, descriptor.Timeout, linked.Token, cancellationToken).ConfigureAwait(false))
                        {
                            // The tool ignores cancellation: abandon it rather than hang the request. It may still take effect,
                            // so its outcome is unknown; no status query or retry while it may still be running.
                            abandoned.Value = task;
                            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                            cancellationToken.ThrowIfCancellationRequested();
                            call.ReasonCodes.Add("tool.abandoned");
                            return new RunOutcome(ToolResult.Failure("The tool did not finish within its timeout and did not stop when told to; it was abandoned."), true, sideEffecting);
                        }

                        result = await task.ConfigureAwait(false);
                    }

                    result ??= ToolResult.Failure("The tool returned no result.");
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    timedOut = true;
                    result = ToolResult.Failure("The tool did not finish within its timeout.");
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Exception isolation: the tool's failure is a result, never the runtime's crash; only the type is kept.
                    threw = true;
                    call.ReasonCodes.Add("tool.exception:" + ex.GetType().Name);
                    result = ToolResult.Failure($"The tool failed ({ex.GetType().Name}).");
                }
            }

            // A timeout or an exception of a side-effecting tool leaves the effect unknown: ask the system of record first.
            var unknown = sideEffecting && (timedOut || threw);
            if (unknown && descriptor.SupportsStatusQuery)
            {
                var status = await QueryStatusAsync(context, call, tool, operationKey, executedCall, credential, cancellationToken).ConfigureAwait(false);
                if (status.State == OperationState.Succeeded)
                {
                    call.ReasonCodes.Add("operation.reconciled_succeeded");
                    return new RunOutcome(status.Result ?? ToolResult.Success(default), false, false);
                }

                if (status.State is OperationState.NotFound or OperationState.Failed)
                {
                    unknown = false;
                    call.ReasonCodes.Add("operation.reconciled_not_found");
                }
            }

            if (!timedOut && result!.Status != ToolResultStatus.Failed)
            {
                return new RunOutcome(result, false, false);
            }

            // Retry only when repeating is harmless — the effect is ruled out or the operation is idempotent — and, after a
            // timeout, only when the tool allows retrying timeouts; always within the request's retry budget.
            var safe = (!timedOut || descriptor.Retry.RetryOnTimeout) && (!unknown || idempotent);
            if (attempt >= descriptor.Retry.MaxAttempts || !safe || !context.Budget.CanRetry)
            {
                return new RunOutcome(result, timedOut, unknown);
            }

            context.Budget.Retries++;
            call.ReasonCodes.Add("tool.retried");
            var delay = descriptor.Retry.InitialBackoff * Math.Pow(2, attempt - 1);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Waits for a running invocation. Once <paramref name="stop"/> fires (its timeout, the caller or the deadline) the tool
    /// gets <paramref name="grace"/> to honour it; returns false when it has not ended by then.
    /// </summary>
    private async ValueTask<bool> EndsOnceToldToStopAsync(Task invocation, TimeSpan grace, CancellationToken stop, CancellationToken request)
    {
        var givenUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationTokenSource? graceTimer = null;

        // The grace timer starts in the cancellation callback itself, so it runs from the moment the tool was told to stop:
        // one more tool timeout after its own timeout, bounded when the request is ending and never beyond what a timer holds.
        var registration = stop.Register(() =>
        {
            var toolWait = grace < TimeSpan.Zero || grace > SafeTime.MaxTimerDelay ? SafeTime.MaxTimerDelay : grace;
            var wait = request.IsCancellationRequested && requestStopWait < toolWait ? requestStopWait : toolWait;
            graceTimer = SafeTime.CancelAfter(wait, timeProvider);
            graceTimer.Token.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), givenUp);
        });
        try
        {
            return await Task.WhenAny(invocation, givenUp.Task).ConfigureAwait(false) == invocation;
        }
        finally
        {
            // Disposing the registration waits for a callback in progress, so the timer it may create is disposed too.
            await registration.DisposeAsync().ConfigureAwait(false);
            graceTimer?.Dispose();
        }
    }

    private async ValueTask<ToolOperationStatus> QueryStatusAsync(RequestContext context, PlannedCall call, AgentTool tool, string operationKey, ToolCall executedCall, SecretValue? credential, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = SafeTime.CancelAfter(call.Descriptor!.Timeout, timeProvider);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            return await tool.QueryStatusAsync(new ToolStatusQuery { OperationKey = operationKey, Call = executedCall, Identity = context.Request.Identity, Credential = credential }, bounded.Token).ConfigureAwait(false)
                ?? new ToolOperationStatus { State = OperationState.Unknown };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            call.ReasonCodes.Add("operation.status_query_failed:" + ex.GetType().Name);
            return new ToolOperationStatus { State = OperationState.Unknown };
        }
    }

    private async ValueTask RecordAsync(RequestContext context, PlannedCall call, DateTimeOffset startedAt, TimeSpan duration, Activity? activity, CancellationToken cancellationToken)
    {
        call.Duration = duration;
        var descriptor = call.Descriptor!;
        var attributes = new AttributeMap()
        {
            ["call.id"] = call.Call.CallId,
            ["tool.name"] = descriptor.Name,
            ["operation.key"] = call.OperationKey ?? string.Empty,
            ["attempts"] = call.Attempts.ToString(CultureInfo.InvariantCulture),
            ["side_effect"] = descriptor.SideEffect.ToString(),
            ["outcome"] = call.Outcome?.ToString() ?? "unknown",
        };
        if (call.Result is { ChangedResources.Count: > 0 } withChanges)
        {
            attributes["changed_resources"] = string.Join(',', withChanges.ChangedResources);
        }

        var payloads = new List<PayloadDigest>(2)
        {
            call.ArgumentsDigest(context),
        };
        if (call.Result?.Output is { ValueKind: not System.Text.Json.JsonValueKind.Undefined } output)
        {
            payloads.Add(context.Hasher.Digest("tool.result", output.GetRawText(), descriptor.OutputClassification.Combine(call.Result.Classification), context.Redactor));
        }

        context.Telemetry.EndTool(activity, call, duration);
        var outcome = call.Outcome switch
        {
            ToolCallOutcome.Succeeded or ToolCallOutcome.Deduplicated => StageOutcome.Completed,
            ToolCallOutcome.TimedOut => StageOutcome.TimedOut,
            _ => StageOutcome.Failed,
        };
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.ToolCall, outcome, startedAt, duration, activity?.SpanId.ToHexString(), call.Outcome?.ToString(), call.ReasonCodes, attributes, payloads,
                context.Versions with { Tool = descriptor.Name + "@" + descriptor.Version }, context.Classification.Combine(descriptor.OutputClassification).Combine(call.Result?.Classification)),
            descriptor.SideEffect > SideEffectClass.Read ? EvidenceDurability.Durable : EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);
        if (context.Events is not null)
        {
            context.Emit(new Events.ToolCallCompletedEvent { RequestId = context.RequestId, Timestamp = timeProvider.GetUtcNow(), CallId = call.Call.CallId, ToolName = descriptor.Name, Outcome = call.Outcome ?? ToolCallOutcome.Failed, Duration = duration });
        }
    }

    /// <summary>How a call's attempts ended: the last result, whether the last attempt timed out, and whether its effect is unknown.</summary>
    private readonly record struct RunOutcome(ToolResult? Result, bool TimedOut, bool Unknown);
}
