using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 12, response finalization: produce the user result — answer, citations, status and known uncertainty. The answer
/// is redacted of any credential resolved during the request before it leaves the runtime.
/// </summary>
internal sealed class ResponseFinalizationStage : IRequestStage
{
    public LifecycleStage Stage => LifecycleStage.ResponseFinalization;

    public ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var status = context.FinalStatus;
        if (context.Answer is { } answer && context.Redactor.Contains(answer))
        {
            context.Answer = context.Redactor.Redact(answer);
            context.Qualifications.Add("A credential value in the answer was redacted.");
        }

        if (status is not AgentRunStatus.Completed && context.Answer is null && context.Turn?.ProposedAnswer is null && status is AgentRunStatus.Partial)
        {
            context.Uncertainty.Add("The task was not finished; see the tool calls for what was done.");
        }

        var result = new StageResult(status switch
        {
            AgentRunStatus.Completed => StageOutcome.Completed,
            AgentRunStatus.PendingApproval => StageOutcome.Paused,
            AgentRunStatus.Cancelled => StageOutcome.Cancelled,
            AgentRunStatus.TimedOut or AgentRunStatus.Expired => StageOutcome.TimedOut,
            AgentRunStatus.Partial => StageOutcome.Degraded,
            _ => StageOutcome.Failed,
        }, "status=" + status)
            .With("qualifications", context.Qualifications.Count)
            .With("citations", context.Citations.Count)
            .With("uncertainty", context.Uncertainty.Count);
        if (context.Answer is not null)
        {
            result.WithPayload(context.Hasher.Digest("answer", context.Answer, context.Classification, context.Redactor));
        }

        if (context.Error is { } error)
        {
            result.WithReason(error.Code);
        }

        return ValueTask.FromResult(result);
    }
}
