using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Telemetry;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 16, incident or recovery handling: when the request failed, was cancelled, timed out or expired after side effects,
/// run the registered compensations in reverse order (saga; every attempt of one compensation gets the same operation key so
/// it can be idempotent, and a failed compensation does not stop the others), reconcile effects whose outcome is unknown
/// through the tool's status query first, record what changed and what was undone, and report a partial state when an effect
/// could not be undone. Always preserves the failure record (the failure-model row, its stage and its error).
/// </summary>
internal sealed class IncidentRecoveryStage : IRequestStage
{
    private readonly IToolRegistry tools;
    private readonly ISecretResolver? secrets;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public IncidentRecoveryStage(IToolRegistry tools, TimeProvider timeProvider, RuntimeLogging logging, IServiceProvider services)
    {
        this.tools = tools;
        secrets = services.GetService<ISecretResolver>();
        this.timeProvider = timeProvider;
        logger = logging.CreateLogger<IncidentRecoveryStage>();
    }

    public LifecycleStage Stage => LifecycleStage.IncidentRecovery;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var status = context.FinalStatus;
        var failure = context.Failure;
        var needsRecovery = status is AgentRunStatus.Failed or AgentRunStatus.Cancelled or AgentRunStatus.TimedOut or AgentRunStatus.Expired
            || failure?.Kind == FailureKind.PartialSideEffect;
        if (failure is null && !needsRecovery)
        {
            return StageResult.NotApplicable("no_incident");
        }

        int compensated = 0, notUndone = 0, ruledOut = 0;
        if (needsRecovery)
        {
            var reason = failure?.Error.Code ?? context.Error?.Code ?? status.ToString();

            // Reverse order: undo the latest effect first.
            for (var i = context.SideEffects.Entries.Count - 1; i >= 0; i--)
            {
                var entry = context.SideEffects.Entries[i];
                if (entry.State != SideEffectState.Executed)
                {
                    continue;
                }

                var outcome = await RecoverAsync(context, entry, reason, cancellationToken).ConfigureAwait(false);
                switch (outcome)
                {
                    case Recovery.Compensated:
                        compensated++;
                        MarkCompensated(context, entry.CallId);
                        break;
                    case Recovery.NoEffect:
                        ruledOut++;
                        break;
                    default:
                        notUndone++;
                        break;
                }
            }

            Report(context, status, failure, compensated, notUndone);
        }

        var kind = failure?.Kind ?? (status == AgentRunStatus.Cancelled ? FailureKind.Cancellation : FailureKind.ModelTimeoutOrRefusal);
        var attributes = new AttributeMap()
        {
            ["failure.kind"] = kind.ToString(),
            ["failure.stage"] = (failure?.Stage ?? context.Error?.Stage)?.ToString() ?? string.Empty,
            ["error.code"] = context.Error?.Code ?? string.Empty,
            ["compensated"] = compensated.ToString(CultureInfo.InvariantCulture),
            ["not_undone"] = notUndone.ToString(CultureInfo.InvariantCulture),
            ["ruled_out"] = ruledOut.ToString(CultureInfo.InvariantCulture),
            ["status"] = context.FinalStatus.ToString(),
        };
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.Incident, notUndone > 0 ? StageOutcome.Failed : StageOutcome.Completed, timeProvider.GetUtcNow(), TimeSpan.Zero, null, kind.ToString(), failure?.ReasonCodes ?? [], attributes),
            EvidenceDurability.Durable,
            cancellationToken).ConfigureAwait(false);

        return new StageResult(notUndone > 0 ? StageOutcome.Failed : StageOutcome.Completed, "incident=" + kind)
            .With("compensated", compensated)
            .With("not_undone", notUndone);
    }

    private async ValueTask<Recovery> RecoverAsync(RequestContext context, SideEffectEntry entry, string reason, CancellationToken cancellationToken)
    {
        var registered = tools.TryGetTool(entry.ToolName, out var tool);

        // The status query and the compensation speak to the same system as the call, with the same credential.
        SecretValue? credential = null;
        string? missingCredential = null;
        if (registered && tool!.Descriptor.AuthReference is { } reference)
        {
            credential = await ToolCredentials.ResolveAsync(secrets, context, entry.ToolName, reference, cancellationToken).ConfigureAwait(false);
            missingCredential = credential is null ? reference : null;
        }

        if (entry.OutcomeUnknown && registered && tool!.Descriptor.SupportsStatusQuery && missingCredential is null)
        {
            // The effect may not have happened: ask the system of record before undoing anything.
            var status = await QueryAsync(context, tool, entry, credential, cancellationToken).ConfigureAwait(false);
            switch (status.State)
            {
                case OperationState.NotFound or OperationState.Failed:
                    entry.State = SideEffectState.NotExecuted;
                    entry.OutcomeUnknown = false;
                    entry.CompensationDetail = "the status query shows no effect";
                    await RecordAsync(context, entry, StageOutcome.Completed, "no_effect", cancellationToken).ConfigureAwait(false);
                    return Recovery.NoEffect;
                case OperationState.Succeeded:
                    entry.OutcomeUnknown = false;
                    entry.Result = status.Result is { } result ? context.Redactor.Redact(result) : entry.Result;
                    entry.ChangedResources = entry.Result?.ChangedResources ?? entry.ChangedResources;
                    break;
            }
        }

        // The tool as registered now decides: a request resumed after a redeploy may find it without its compensation.
        if (!entry.Compensable || !registered || tool!.Descriptor.Compensation is null)
        {
            entry.State = SideEffectState.CompensationFailed;
            entry.CompensationDetail = !registered
                ? "the tool is no longer registered"
                : entry.Compensable ? "the tool, as registered now, has no compensation"
                : entry.OutcomeUnknown ? "it may have taken effect and no compensation is registered" : "no compensation is registered (irreversible)";
            await RecordAsync(context, entry, StageOutcome.Failed, "not_compensable", cancellationToken).ConfigureAwait(false);
            return Recovery.NotUndone;
        }

        if (missingCredential is not null)
        {
            entry.State = SideEffectState.CompensationFailed;
            entry.CompensationDetail = $"the credential '{missingCredential}' could not be resolved";
            Log.CompensationFailed(logger, context.RequestId, entry.ToolName, entry.OperationKey, entry.CompensationDetail);
            await RecordAsync(context, entry, StageOutcome.Failed, "compensation_failed", cancellationToken).ConfigureAwait(false);
            return Recovery.NotUndone;
        }

        var outcome = await CompensateAsync(context, tool!, entry, reason, credential, cancellationToken).ConfigureAwait(false);
        if (outcome.Succeeded)
        {
            entry.State = SideEffectState.Compensated;
            entry.CompensationDetail = outcome.Detail is null ? null : context.Redactor.Redact(outcome.Detail);
        }
        else
        {
            entry.State = SideEffectState.CompensationFailed;
            entry.CompensationDetail = context.Redactor.Redact(outcome.Detail ?? "the compensation failed");
            Log.CompensationFailed(logger, context.RequestId, entry.ToolName, entry.OperationKey, entry.CompensationDetail);
        }

        await RecordAsync(context, entry, outcome.Succeeded ? StageOutcome.Completed : StageOutcome.Failed, outcome.Succeeded ? "compensated" : "compensation_failed", cancellationToken).ConfigureAwait(false);
        return outcome.Succeeded ? Recovery.Compensated : Recovery.NotUndone;
    }

    /// <summary>Tells the caller what changed and what was undone.</summary>
    private static void Report(RequestContext context, AgentRunStatus status, RuntimeFailure? failure, int compensated, int notUndone)
    {
        if (compensated > 0)
        {
            context.Qualifications.Add($"{compensated} side effect(s) of this request were undone by compensation.");
        }

        if (notUndone > 0)
        {
            var remaining = context.SideEffects.Entries.Where(e => e.State == SideEffectState.CompensationFailed).ToList();
            var changed = remaining.SelectMany(e => e.ChangedResources.Count > 0 ? e.ChangedResources : [e.ToolName + ":" + e.OperationKey]);
            var message = $"Side effects remain that could not be undone: {string.Join(", ", changed)}.";
            context.Uncertainty.Add(message);
            foreach (var entry in remaining.Where(e => e.OutcomeUnknown))
            {
                context.Uncertainty.Add($"Whether '{entry.ToolName}' (operation {entry.OperationKey}) took effect is unknown.");
            }

            if (status is not AgentRunStatus.Cancelled)
            {
                context.OverrideStatus(AgentRunStatus.Partial, new AgentError { Code = AgentErrorCodes.PartialSideEffect, Message = message, Stage = failure?.Stage });
            }
        }
        else if (compensated > 0 && status == AgentRunStatus.Partial && failure?.Kind == FailureKind.PartialSideEffect)
        {
            // Every earlier effect was undone: the request failed cleanly rather than leaving partial state.
            var error = context.Error;
            context.OverrideStatus(
                AgentRunStatus.Failed,
                new AgentError
                {
                    Code = AgentErrorCodes.ToolFailed,
                    Message = $"{error?.Message ?? "A tool call failed."} Every earlier side effect of the request was compensated.",
                    Stage = error?.Stage ?? failure.Stage,
                });
        }
    }

    private async ValueTask<ToolOperationStatus> QueryAsync(RequestContext context, AgentTool tool, SideEffectEntry entry, SecretValue? credential, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = SafeTime.CancelAfter(tool.Descriptor.Timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            return await tool.QueryStatusAsync(new ToolStatusQuery { OperationKey = entry.OperationKey, Call = entry.Call, Identity = context.Request.Identity, Credential = credential }, linked.Token).ConfigureAwait(false)
                ?? new ToolOperationStatus { State = OperationState.Unknown };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ToolOperationStatus { State = OperationState.Unknown };
        }
    }

    private async ValueTask<CompensationResult> CompensateAsync(RequestContext context, AgentTool tool, SideEffectEntry entry, string reason, SecretValue? credential, CancellationToken cancellationToken)
    {
        var compensation = tool.Descriptor.Compensation!;
        var last = new CompensationResult { Succeeded = false, Detail = "not attempted" };
        var original = entry.Result ?? new ToolResult { Status = ToolResultStatus.Pending, Error = "The outcome of the call is unknown." };
        for (var attempt = 1; attempt <= Math.Max(1, compensation.MaxAttempts); attempt++)
        {
            using var timeout = SafeTime.CancelAfter(compensation.Timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                // Every attempt carries the same operation key: the compensation deduplicates by it.
                last = await tool.CompensateAsync(
                    new ToolCompensationRequest { Call = entry.Call, OperationKey = entry.OperationKey, Result = original, RequestId = context.RequestId, Reason = reason, Attempt = attempt, Credential = credential },
                    linked.Token).ConfigureAwait(false) ?? new CompensationResult { Succeeded = false, Detail = "the compensation returned no result" };
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                last = new CompensationResult { Succeeded = false, Detail = "compensation timed out" };
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A cancellation the compensation raised itself (an HTTP client's own timeout) is a failed attempt: only the
                // stage's own cancellation stops compensating, so one failure never stops the others.
                last = new CompensationResult { Succeeded = false, Detail = "compensation failed (" + ex.GetType().Name + ")" };
            }

            if (last.Succeeded || cancellationToken.IsCancellationRequested)
            {
                return last;
            }
        }

        return last;
    }

    private static void MarkCompensated(RequestContext context, string callId)
    {
        for (var i = 0; i < context.ToolCalls.Count; i++)
        {
            if (context.ToolCalls[i].CallId == callId)
            {
                context.ToolCalls[i] = context.ToolCalls[i] with { Outcome = ToolCallOutcome.Compensated, ReasonCodes = [.. context.ToolCalls[i].ReasonCodes, "compensated"] };
            }
        }
    }

    private async ValueTask RecordAsync(RequestContext context, SideEffectEntry entry, StageOutcome outcome, string decision, CancellationToken cancellationToken)
    {
        var attributes = new AttributeMap()
        {
            ["call.id"] = entry.CallId,
            ["tool.name"] = entry.ToolName,
            ["operation.key"] = entry.OperationKey,
            ["changed_resources"] = string.Join(',', entry.ChangedResources),
            ["outcome_unknown"] = entry.OutcomeUnknown ? "true" : "false",
        };
        if (entry.CompensationDetail is not null)
        {
            attributes["detail"] = context.Redactor.Redact(entry.CompensationDetail);
        }

        try
        {
            await context.Evidence.WriteAsync(
                context.NewRecord(Stage, EvidenceKinds.Compensation, outcome, timeProvider.GetUtcNow(), TimeSpan.Zero, null, decision, [], attributes, versions: context.Versions with { Tool = entry.ToolName + "@" + entry.ToolVersion }),
                EvidenceDurability.Durable,
                cancellationToken).ConfigureAwait(false);
        }
        catch (EvidenceRequiredException)
        {
            // The record is buffered and the request marked degraded; undoing the remaining effects matters more than stopping.
        }
    }

    private enum Recovery
    {
        Compensated,
        NoEffect,
        NotUndone,
    }
}
