namespace ARuntime.Sdk.Lifecycle;

/// <summary>Builds the caller's <see cref="AgentResult"/> from the request context.</summary>
internal sealed class ResultBuilder
{
    private readonly TimeProvider timeProvider;

    public ResultBuilder(TimeProvider timeProvider)
    {
        this.timeProvider = timeProvider;
    }

    public AgentResult Build(RequestContext context)
    {
        var status = context.FinalStatus;
        var error = context.Error;
        if (error is null && status is not (AgentRunStatus.Completed or AgentRunStatus.PendingApproval))
        {
            error = new AgentError { Code = AgentErrorCodes.Internal, Message = "The request ended without an answer." };
        }

        var budget = context.Budget;
        return new AgentResult
        {
            RequestId = context.RequestId,
            TenantId = context.TenantId,
            CorrelationId = context.Request.CorrelationId,
            Status = status,
            Answer = status is AgentRunStatus.PendingApproval ? null : context.Answer,
            StructuredAnswer = status is AgentRunStatus.PendingApproval ? null : context.StructuredAnswer,
            Error = status is AgentRunStatus.Completed or AgentRunStatus.PendingApproval ? null : error,
            Qualifications = [.. context.Qualifications],
            Uncertainty = [.. context.Uncertainty],
            Citations = [.. context.Citations],
            Stages = context.Timeline.ToSummaries(),
            Usage = new UsageSummary
            {
                PromptTokens = budget.PromptTokens,
                CachedPromptTokens = budget.CachedPromptTokens,
                GeneratedTokens = budget.GeneratedTokens,
                ModelTurns = budget.ModelTurns,
                ToolCalls = budget.ToolCalls,
                Retries = budget.Retries,
                HumanReviews = budget.HumanReviews,
                Cost = budget.Cost,
                WallTime = budget.EarlierWallTime + timeProvider.GetElapsedTime(context.RunStartTimestamp),
            },
            ToolCalls = [.. context.ToolCalls],
            PendingApproval = status is AgentRunStatus.PendingApproval ? context.PendingApproval : null,
            Deployment = context.ActiveDeployment?.Name,
            Evaluations = [.. context.Evaluations],
            EvidenceRecordCount = context.Evidence.Records.Count,
            EvidenceDegraded = context.Evidence.Degraded,
            CompletedAt = timeProvider.GetUtcNow(),
        };
    }
}
