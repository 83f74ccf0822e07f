using System.Text.Json;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>Captures a paused request's context as a <see cref="RequestCheckpoint"/> and restores it in any process.</summary>
internal static class CheckpointMapper
{
    public static byte[] Serialize(RequestContext context, TimeSpan wallTime) =>
        JsonSerializer.SerializeToUtf8Bytes(Capture(context, wallTime), CheckpointJsonContext.Default.RequestCheckpoint);

    public static RequestCheckpoint Deserialize(ReadOnlyMemory<byte> bytes, string format)
    {
        if (format != RequestCheckpoint.CurrentFormat)
        {
            throw new NotSupportedException($"Checkpoint format '{format}' is not supported by this runtime.");
        }

        return JsonSerializer.Deserialize(bytes.Span, CheckpointJsonContext.Default.RequestCheckpoint)
            ?? throw new JsonException("The checkpoint is empty.");
    }

    private static RequestCheckpoint Capture(RequestContext context, TimeSpan wallTime)
    {
        var budget = context.Budget;
        return new RequestCheckpoint
        {
            RequestId = context.RequestId,
            Request = context.Request,
            AdmittedAt = context.AdmittedAt,
            TraceId = context.TraceId,
            ParentSpanId = context.ParentSpanId,
            Classification = context.Classification,
            Authority = context.Authority,
            Risk = context.Risk,
            OfferedTools = [.. context.OfferedTools.Select(t => t.Name)],
            ContextItems = [.. context.ContextItems],
            Citations = [.. context.Citations],
            Uncertainty = [.. context.Uncertainty],
            Qualifications = [.. context.Qualifications],
            UnavailableContext = new Dictionary<string, string>(context.UnavailableContext, StringComparer.Ordinal),
            RetrievalIndexVersion = context.RetrievalIndexVersion,
            RoutePlan = context.RoutePlan,
            RouteIndex = context.RouteIndex,
            Transcript = [.. context.Transcript],
            RepairAttempts = context.RepairAttempts,
            TurnCount = context.TurnCount,
            Calls = [.. context.Turn!.Calls.Select(c => new CheckpointCall
            {
                Call = c.Call,
                EffectiveArguments = c.EffectiveArguments,
                ValidationErrors = [.. c.ValidationErrors],
                Decision = c.Decision,
                Outcome = c.Outcome,
                Result = c.Result,
                OperationKey = c.OperationKey,
                ReasonCodes = [.. c.ReasonCodes],
                Explanation = c.Explanation,
                Approved = c.Approved,
                ApprovedBy = c.ApprovedBy,
                ChangedByApprover = c.ChangedByApprover,
                Attempts = c.Attempts,
                Reported = c.Reported,
            })],
            UsesEnvelope = context.UsesEnvelope,
            PendingApproval = context.PendingApproval!,
            Limits = budget.Limits,
            Counters = new BudgetCounters
            {
                PromptTokens = budget.PromptTokens,
                CachedPromptTokens = budget.CachedPromptTokens,
                GeneratedTokens = budget.GeneratedTokens,
                Cost = budget.Cost,
                ToolCalls = budget.ToolCalls,
                Retries = budget.Retries,
                ModelTurns = budget.ModelTurns,
                HumanReviews = budget.HumanReviews,
                WallTime = wallTime,
            },
            Timeline = [.. context.Timeline.ToSummaries()],
            NextSequence = context.Evidence.NextSequence,
            Records = [.. context.Evidence.Records],
            EvidenceDegraded = context.Evidence.Degraded,
            ToolCalls = [.. context.ToolCalls],
            SideEffects = [.. context.SideEffects.Entries.Select(e => new CheckpointSideEffect
            {
                CallId = e.CallId,
                ToolName = e.ToolName,
                ToolVersion = e.ToolVersion,
                SideEffect = e.SideEffect,
                OperationKey = e.OperationKey,
                Call = e.Call,
                Compensable = e.Compensable,
                State = (int)e.State,
                Result = e.Result,
                ChangedResources = [.. e.ChangedResources],
                CompensationDetail = e.CompensationDetail,
                OutcomeUnknown = e.OutcomeUnknown,
            })],
            Versions = context.Versions,
            HoldsIdempotencyKey = context.HoldsIdempotencyKey,
        };
    }

    public static RequestContext Restore(RequestCheckpoint checkpoint, IToolRegistry tools, IEvidenceSink sink, IReadOnlyList<string> flags, int maxBuffered, PayloadHasher hasher)
    {
        var budget = new BudgetLedger(checkpoint.Limits)
        {
            PromptTokens = checkpoint.Counters.PromptTokens,
            CachedPromptTokens = checkpoint.Counters.CachedPromptTokens,
            GeneratedTokens = checkpoint.Counters.GeneratedTokens,
            Cost = checkpoint.Counters.Cost,
            ToolCalls = checkpoint.Counters.ToolCalls,
            Retries = checkpoint.Counters.Retries,
            ModelTurns = checkpoint.Counters.ModelTurns,
            HumanReviews = checkpoint.Counters.HumanReviews,
            EarlierWallTime = checkpoint.Counters.WallTime,
        };
        var evidence = new EvidenceRecorder(sink, flags, maxBuffered, checkpoint.NextSequence);
        evidence.Restore(checkpoint.Records, checkpoint.EvidenceDegraded);
        var context = new RequestContext(checkpoint.RequestId, checkpoint.Request, checkpoint.AdmittedAt, budget, evidence, hasher, checkpoint.TraceId)
        {
            ParentSpanId = checkpoint.ParentSpanId,
            Classification = checkpoint.Classification,
            Authority = checkpoint.Authority,
            Risk = checkpoint.Risk,
            RetrievalIndexVersion = checkpoint.RetrievalIndexVersion,
            RoutePlan = checkpoint.RoutePlan,
            RouteIndex = checkpoint.RouteIndex,
            RepairAttempts = checkpoint.RepairAttempts,
            TurnCount = checkpoint.TurnCount,
            UsesEnvelope = checkpoint.UsesEnvelope,
            PendingApproval = checkpoint.PendingApproval,
            Versions = checkpoint.Versions,
            HoldsIdempotencyKey = checkpoint.HoldsIdempotencyKey,
            IsResumed = true,
        };

        var offered = new List<Contracts.ToolDescriptor>();
        foreach (var name in checkpoint.OfferedTools)
        {
            if (tools.TryGetTool(name, out var tool))
            {
                offered.Add(tool.Descriptor);
            }
        }

        context.OfferedTools = offered;
        context.ContextItems.AddRange(checkpoint.ContextItems);
        context.Citations.AddRange(checkpoint.Citations);
        context.Uncertainty.AddRange(checkpoint.Uncertainty);
        context.Qualifications.AddRange(checkpoint.Qualifications);
        foreach (var (source, reason) in checkpoint.UnavailableContext)
        {
            context.UnavailableContext[source] = reason;
        }

        context.Transcript.AddRange(checkpoint.Transcript);
        context.ToolCalls.AddRange(checkpoint.ToolCalls);
        context.Timeline.Restore(checkpoint.Timeline);
        foreach (var e in checkpoint.SideEffects)
        {
            context.SideEffects.Entries.Add(new SideEffectEntry
            {
                CallId = e.CallId,
                ToolName = e.ToolName,
                ToolVersion = e.ToolVersion,
                SideEffect = e.SideEffect,
                OperationKey = e.OperationKey,
                Call = e.Call,
                Compensable = e.Compensable,
                State = (SideEffectState)e.State,
                Result = e.Result,
                ChangedResources = e.ChangedResources,
                CompensationDetail = e.CompensationDetail,
                OutcomeUnknown = e.OutcomeUnknown,
            });
        }

        var turn = new TurnState { Number = checkpoint.TurnCount, ResumedAfterApproval = true };
        foreach (var c in checkpoint.Calls)
        {
            var planned = new PlannedCall
            {
                Call = c.Call,
                EffectiveArguments = c.EffectiveArguments,
                ValidationErrors = c.ValidationErrors,
                Decision = c.Decision,
                Outcome = c.Outcome,
                Result = c.Result,
                OperationKey = c.OperationKey,
                Explanation = c.Explanation,
                Approved = c.Approved,
                ApprovedBy = c.ApprovedBy,
                ChangedByApprover = c.ChangedByApprover,
                Attempts = c.Attempts,
                Reported = c.Reported,
            };
            planned.ReasonCodes.AddRange(c.ReasonCodes);
            if (tools.TryGetTool(c.Call.ToolName, out var tool))
            {
                planned.Tool = tool;
                planned.Descriptor = tool.Descriptor;
            }

            turn.Calls.Add(planned);
        }

        context.Turn = turn;
        context.ResponseFormat = Protocol.ResponseEnvelope.Build(offered, checkpoint.Request.Output);
        return context;
    }
}
