using System.Diagnostics;
using System.Globalization;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 9, tool execution: run authorized calls with timeout, idempotency, concurrency limits, exception isolation and
/// observability. A side-effecting call is registered in the request's saga log and recorded durably before it runs, claims
/// its operation key in the ledger (so it never runs twice), and is retried only when idempotent or status-queryable and
/// within the retry budget; after a timeout or a crash its status query decides, never a blind retry.
/// </summary>
internal sealed class ToolExecutionStage : IRequestStage
{
    private readonly ToolRegistry? registry;
    private readonly IOperationLedger ledger;
    private readonly ISecretResolver? secrets;
    private readonly IServiceProvider services;
    private readonly BudgetOptions budgets;
    private readonly TimeProvider timeProvider;

    public ToolExecutionStage(IToolRegistry tools, IOperationLedger ledger, IServiceProvider services, IOptions<ARuntimeOptions> options, TimeProvider timeProvider)
    {
        registry = tools as ToolRegistry;
        this.ledger = ledger;
        secrets = services.GetService<ISecretResolver>();
        this.services = services;
        budgets = options.Value.Budgets;
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
            var price = budgets.ToolPrices.TryGetValue(call.Call.ToolName, out var p) ? p : 0m;
            if (context.Budget.BlocksToolCall(context.Budget.EarlierWallTime + timeProvider.GetElapsedTime(context.RunStartTimestamp), price) is { } dimension)
            {
                foreach (var remaining in ready.Where(c => c.Outcome is null))
                {
                    remaining.Outcome = ToolCallOutcome.NotAttempted;
                    remaining.ReasonCodes.Add("budget.exhausted:" + dimension);
                }

                var description = context.Budget.Describe(dimension);
                context.Qualifications.Add($"Stopped before finishing: the {dimension} budget is exhausted ({description}).");
                context.Terminate(
                    AgentRunStatus.Partial,
                    new AgentError { Code = AgentErrorCodes.BudgetExhausted, Message = $"The {dimension} budget is exhausted ({description}).", Field = "budget", Stage = Stage },
                    FailureKind.BudgetExhaustion,
                    Stage,
                    "budget.exhausted:" + dimension);
                await context.Evidence.WriteAsync(
                    context.NewRecord(Stage, EvidenceKinds.BudgetExhausted, StageOutcome.Failed, timeProvider.GetUtcNow(), TimeSpan.Zero, null, dimension.ToString(), ["budget.exhausted:" + dimension], new Dictionary<string, string> { ["usage"] = description }),
                    EvidenceDurability.Acknowledged,
                    cancellationToken).ConfigureAwait(false);
                break;
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
        var tool = call.Tool!;
        var started = timeProvider.GetTimestamp();
        var startedAt = timeProvider.GetUtcNow();
        using var activity = context.Telemetry.StartTool(call);

        var scope = context.Request.IdempotencyKey ?? context.RequestId;
        var operationKey = OperationKeys.Derive(context.TenantId, scope, descriptor, call.EffectiveArguments);
        call.OperationKey = operationKey;
        var sideEffecting = descriptor.SideEffect > SideEffectClass.Read;
        var ledgered = sideEffecting || descriptor.Idempotency.Kind == IdempotencyKind.OperationKey;
        var executedCall = call.Call with { Arguments = call.EffectiveArguments };

        if (ledgered && !await ClaimOperationAsync(context, call, tool, executedCall, operationKey, cancellationToken).ConfigureAwait(false))
        {
            await RecordAsync(context, call, startedAt, timeProvider.GetElapsedTime(started), activity, cancellationToken).ConfigureAwait(false);
            return;
        }

        SideEffectEntry? saga = null;
        if (sideEffecting)
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
                    new Dictionary<string, string>(StringComparer.Ordinal) { ["call.id"] = call.Call.CallId, ["tool.name"] = descriptor.Name, ["operation.key"] = operationKey, ["side_effect"] = descriptor.SideEffect.ToString() },
                    versions: context.Versions with { Tool = descriptor.Name + "@" + descriptor.Version }),
                EvidenceDurability.Durable,
                cancellationToken).ConfigureAwait(false);
        }

        SecretValue? credential = null;
        if (descriptor.AuthReference is { } reference)
        {
            try
            {
                credential = await secrets!.ResolveAsync(new SecretRequest { Reference = reference, TenantId = context.TenantId, ToolName = descriptor.Name, RequestId = context.RequestId }, cancellationToken).ConfigureAwait(false);
                context.Redactor.Track(credential);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                call.Outcome = ToolCallOutcome.Failed;
                call.ReasonCodes.Add("credential.unavailable");
                call.Result = ToolResult.Failure($"The credential '{reference}' could not be resolved.");
                await AbandonAsync(context, saga, ledgered, operationKey, cancellationToken).ConfigureAwait(false);
                await RecordAsync(context, call, startedAt, timeProvider.GetElapsedTime(started), activity, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        var limiter = registry?.GetLimiter(descriptor.Name);
        if (limiter is not null)
        {
            await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ToolResult? result;
        var timedOut = false;
        try
        {
            (result, timedOut) = await RunWithRetriesAsync(context, call, tool, executedCall, operationKey, credential, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            limiter?.Release();
        }

        call.Result = result;
        if (timedOut)
        {
            call.Outcome = ToolCallOutcome.TimedOut;
            call.ReasonCodes.Add("tool.timeout");

            // Without a status query nobody knows whether the effect happened: the ledger entry stays started (in doubt).
            if (saga is not null)
            {
                saga.State = SideEffectState.Executed;
                saga.CompensationDetail = "outcome unknown after timeout";
            }
        }
        else
        {
            switch (result!.Status)
            {
                case ToolResultStatus.Succeeded or ToolResultStatus.Pending:
                    call.Outcome = ToolCallOutcome.Succeeded;
                    if (result.Status == ToolResultStatus.Pending)
                    {
                        call.ReasonCodes.Add("tool.pending");
                    }

                    if (ledgered)
                    {
                        await ledger.CompleteAsync(context.TenantId, operationKey, result, cancellationToken).ConfigureAwait(false);
                    }

                    if (saga is not null)
                    {
                        saga.State = SideEffectState.Executed;
                        saga.Result = result;
                        saga.ChangedResources = result.ChangedResources;
                    }

                    break;
                case ToolResultStatus.Partial:
                    call.Outcome = ToolCallOutcome.Failed;
                    call.ReasonCodes.Add("tool.partial");
                    if (ledgered)
                    {
                        await ledger.CompleteAsync(context.TenantId, operationKey, result, cancellationToken).ConfigureAwait(false);
                    }

                    if (saga is not null)
                    {
                        saga.State = SideEffectState.Executed;
                        saga.Result = result;
                        saga.ChangedResources = result.ChangedResources;
                    }

                    break;
                default:
                    call.Outcome = ToolCallOutcome.Failed;
                    call.ReasonCodes.Add("tool.failed");
                    await AbandonAsync(context, saga, ledgered, operationKey, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        if (call.Outcome is ToolCallOutcome.Succeeded)
        {
            context.Budget.ToolCalls++;
            context.Budget.Cost += price;
        }

        await RecordAsync(context, call, startedAt, timeProvider.GetElapsedTime(started), activity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims the operation key; returns false when the call must not run (duplicate, or in doubt and unreconcilable).</summary>
    private async ValueTask<bool> ClaimOperationAsync(RequestContext context, PlannedCall call, AgentTool tool, ToolCall executedCall, string operationKey, CancellationToken cancellationToken)
    {
        var claim = await ledger.TryStartAsync(context.TenantId, operationKey, call.Call.ToolName, context.RequestId, cancellationToken).ConfigureAwait(false);
        switch (claim.Status)
        {
            case OperationClaimStatus.Started:
                return true;
            case OperationClaimStatus.Completed:
                call.Outcome = ToolCallOutcome.Deduplicated;
                call.Result = claim.Result;
                call.ReasonCodes.Add("operation.already_completed");
                return false;
        }

        // In doubt: started before without a recorded result. Reconcile through the status query; never blindly run again.
        if (!call.Descriptor!.SupportsStatusQuery)
        {
            call.Outcome = ToolCallOutcome.Failed;
            call.ReasonCodes.Add("operation.in_doubt");
            call.Result = ToolResult.Failure("An earlier attempt of this operation may have taken effect and its status cannot be queried; it was not repeated.");
            return false;
        }

        ToolOperationStatus status;
        try
        {
            status = await tool.QueryStatusAsync(new ToolStatusQuery { OperationKey = operationKey, Call = executedCall, Identity = context.Request.Identity }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            status = new ToolOperationStatus { State = OperationState.Unknown };
        }

        switch (status.State)
        {
            case OperationState.Succeeded:
                var result = status.Result ?? ToolResult.Success(default);
                await ledger.CompleteAsync(context.TenantId, operationKey, result, cancellationToken).ConfigureAwait(false);
                call.Outcome = ToolCallOutcome.Deduplicated;
                call.Result = result;
                call.ReasonCodes.Add("operation.reconciled_succeeded");
                return false;
            case OperationState.NotFound or OperationState.Failed:
                // The system of record shows no effect: the operation may run.
                await ledger.AbandonAsync(context.TenantId, operationKey, cancellationToken).ConfigureAwait(false);
                var retry = await ledger.TryStartAsync(context.TenantId, operationKey, call.Call.ToolName, context.RequestId, cancellationToken).ConfigureAwait(false);
                call.ReasonCodes.Add("operation.reconciled_not_found");
                if (retry.Status == OperationClaimStatus.Started)
                {
                    return true;
                }

                call.Outcome = ToolCallOutcome.Failed;
                call.ReasonCodes.Add("operation.in_doubt");
                return false;
            default:
                call.Outcome = ToolCallOutcome.Failed;
                call.ReasonCodes.Add(status.State == OperationState.Pending ? "operation.pending" : "operation.in_doubt");
                call.Result = ToolResult.Failure("An earlier attempt of this operation is still in progress or its status is unknown; it was not repeated.");
                return false;
        }
    }

    private async ValueTask<(ToolResult? Result, bool TimedOut)> RunWithRetriesAsync(RequestContext context, PlannedCall call, AgentTool tool, ToolCall executedCall, string operationKey, SecretValue? credential, CancellationToken cancellationToken)
    {
        var descriptor = call.Descriptor!;
        var retriable = descriptor.Idempotency.Kind != IdempotencyKind.None || descriptor.SupportsStatusQuery;
        for (var attempt = 1; ; attempt++)
        {
            call.Attempts = attempt;
            var timedOut = false;
            ToolResult? result = null;
            using var timeout = new CancellationTokenSource(descriptor.Timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                result = await tool.InvokeAsync(
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
                    linked.Token).ConfigureAwait(false) ?? ToolResult.Failure("The tool returned no result.");
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                timedOut = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Exception isolation: the tool's failure is a result, never the runtime's crash; only the type is kept.
                result = ToolResult.Failure($"The tool failed ({ex.GetType().Name}).");
                call.ReasonCodes.Add("tool.exception:" + ex.GetType().Name);
            }

            if (timedOut && descriptor.SupportsStatusQuery)
            {
                // Ask the system of record before deciding anything: the effect may have happened.
                var status = await SafeQueryAsync(tool, operationKey, executedCall, context, cancellationToken).ConfigureAwait(false);
                if (status.State == OperationState.Succeeded)
                {
                    call.ReasonCodes.Add("operation.reconciled_succeeded");
                    return (status.Result ?? ToolResult.Success(default), false);
                }

                if (status.State is not (OperationState.NotFound or OperationState.Failed))
                {
                    return (null, true);
                }
            }

            var failed = timedOut || result!.Status == ToolResultStatus.Failed;
            if (!failed)
            {
                return (result, false);
            }

            // After a timeout, retry only if the status query ruled the effect out, or the operation is idempotent and the
            // policy allows retrying timeouts.
            var timeoutRetrySafe = !timedOut || descriptor.SupportsStatusQuery || (descriptor.Retry.RetryOnTimeout && descriptor.Idempotency.Kind != IdempotencyKind.None);
            var mayRetry = attempt < descriptor.Retry.MaxAttempts && retriable && timeoutRetrySafe && context.Budget.CanRetry;
            if (!mayRetry)
            {
                return (result, timedOut);
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

    private static async ValueTask<ToolOperationStatus> SafeQueryAsync(AgentTool tool, string operationKey, ToolCall call, RequestContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await tool.QueryStatusAsync(new ToolStatusQuery { OperationKey = operationKey, Call = call, Identity = context.Request.Identity }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ToolOperationStatus { State = OperationState.Unknown };
        }
    }

    private async ValueTask AbandonAsync(RequestContext context, SideEffectEntry? saga, bool ledgered, string operationKey, CancellationToken cancellationToken)
    {
        if (saga is not null)
        {
            saga.State = SideEffectState.NotExecuted;
        }

        if (ledgered)
        {
            await ledger.AbandonAsync(context.TenantId, operationKey, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask RecordAsync(RequestContext context, PlannedCall call, DateTimeOffset startedAt, TimeSpan duration, Activity? activity, CancellationToken cancellationToken)
    {
        call.Duration = duration;
        var descriptor = call.Descriptor!;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
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
            context.Hasher.Digest("tool.arguments", call.EffectiveArguments.GetRawText(), context.Classification, context.Redactor),
        };
        if (call.Result?.Output is { } output)
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
                context.Versions with { Tool = descriptor.Name + "@" + descriptor.Version }, context.Classification.Combine(descriptor.OutputClassification)),
            descriptor.SideEffect > SideEffectClass.Read ? EvidenceDurability.Durable : EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);
        context.Emit(new Events.ToolCallCompletedEvent { RequestId = context.RequestId, Timestamp = timeProvider.GetUtcNow(), CallId = call.Call.CallId, ToolName = descriptor.Name, Outcome = call.Outcome ?? ToolCallOutcome.Failed, Duration = duration });
    }
}
