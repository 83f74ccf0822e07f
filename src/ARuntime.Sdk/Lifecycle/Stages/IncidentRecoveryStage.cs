using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Telemetry;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 16, incident or recovery handling: when the request failed, was cancelled, timed out or expired after side effects,
/// run the registered compensations in reverse order (saga; a failed compensation does not stop the others), report what
/// changed and what was undone, and report a partial state when an effect could not be undone. Always preserves the failure
/// record (the failure-model row, its stage and its error).
/// </summary>
internal sealed class IncidentRecoveryStage : IRequestStage
{
    private readonly IToolRegistry tools;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public IncidentRecoveryStage(IToolRegistry tools, TimeProvider timeProvider, RuntimeLogging logging)
    {
        this.tools = tools;
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

        int compensated = 0, notUndone = 0;
        if (needsRecovery)
        {
            // Reverse order: undo the latest effect first.
            for (var i = context.SideEffects.Entries.Count - 1; i >= 0; i--)
            {
                var entry = context.SideEffects.Entries[i];
                if (entry.State != SideEffectState.Executed)
                {
                    continue;
                }

                if (!entry.Compensable || !tools.TryGetTool(entry.ToolName, out var tool))
                {
                    entry.State = SideEffectState.CompensationFailed;
                    entry.CompensationDetail ??= "no compensation is registered (irreversible)";
                    notUndone++;
                    await RecordAsync(context, entry, StageOutcome.Failed, "not_compensable", cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var outcome = await CompensateAsync(context, tool, entry, failure?.Error.Code ?? status.ToString(), cancellationToken).ConfigureAwait(false);
                if (outcome.Succeeded)
                {
                    entry.State = SideEffectState.Compensated;
                    compensated++;
                    MarkCompensated(context, entry.CallId);
                }
                else
                {
                    entry.State = SideEffectState.CompensationFailed;
                    entry.CompensationDetail = outcome.Detail;
                    notUndone++;
                    Log.CompensationFailed(logger, context.RequestId, entry.ToolName, entry.OperationKey, outcome.Detail);
                }

                await RecordAsync(context, entry, outcome.Succeeded ? StageOutcome.Completed : StageOutcome.Failed, outcome.Succeeded ? "compensated" : "compensation_failed", cancellationToken).ConfigureAwait(false);
            }

            if (compensated > 0)
            {
                context.Qualifications.Add($"{compensated} side effect(s) of this request were undone by compensation.");
            }

            if (notUndone > 0)
            {
                var changed = context.SideEffects.Entries.Where(e => e.State == SideEffectState.CompensationFailed)
                    .SelectMany(e => e.ChangedResources.Count > 0 ? e.ChangedResources : [e.ToolName + ":" + e.OperationKey]);
                var message = $"Side effects remain that could not be undone: {string.Join(", ", changed)}.";
                context.Uncertainty.Add(message);
                if (status is not AgentRunStatus.Cancelled)
                {
                    context.OverrideStatus(AgentRunStatus.Partial, new AgentError { Code = AgentErrorCodes.PartialSideEffect, Message = message, Stage = failure?.Stage });
                }
            }
        }

        var kind = failure?.Kind ?? (status == AgentRunStatus.Cancelled ? FailureKind.Cancellation : FailureKind.ModelTimeoutOrRefusal);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["failure.kind"] = kind.ToString(),
            ["failure.stage"] = (failure?.Stage ?? context.Error?.Stage)?.ToString() ?? string.Empty,
            ["error.code"] = context.Error?.Code ?? string.Empty,
            ["compensated"] = compensated.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["not_undone"] = notUndone.ToString(System.Globalization.CultureInfo.InvariantCulture),
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

    private async ValueTask<CompensationResult> CompensateAsync(RequestContext context, AgentTool tool, SideEffectEntry entry, string reason, CancellationToken cancellationToken)
    {
        var compensation = tool.Descriptor.Compensation!;
        var last = new CompensationResult { Succeeded = false, Detail = "not attempted" };
        for (var attempt = 1; attempt <= Math.Max(1, compensation.MaxAttempts); attempt++)
        {
            using var timeout = new CancellationTokenSource(compensation.Timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                last = await tool.CompensateAsync(
                    new ToolCompensationRequest { Call = entry.Call, OperationKey = entry.OperationKey, Result = entry.Result ?? ToolResult.Success(default), RequestId = context.RequestId, Reason = reason, Attempt = attempt },
                    linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                last = new CompensationResult { Succeeded = false, Detail = "compensation timed out" };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                last = new CompensationResult { Succeeded = false, Detail = "compensation failed (" + ex.GetType().Name + ")" };
            }

            if (last.Succeeded)
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
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["call.id"] = entry.CallId,
            ["tool.name"] = entry.ToolName,
            ["operation.key"] = entry.OperationKey,
            ["changed_resources"] = string.Join(',', entry.ChangedResources),
        };
        if (entry.CompensationDetail is not null)
        {
            attributes["detail"] = entry.CompensationDetail;
        }

        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.Compensation, outcome, timeProvider.GetUtcNow(), TimeSpan.Zero, null, decision, [], attributes, versions: context.Versions with { Tool = entry.ToolName + "@" + entry.ToolVersion }),
            EvidenceDurability.Durable,
            cancellationToken).ConfigureAwait(false);
    }
}
