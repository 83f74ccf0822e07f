using System.Text.Json;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Risk;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Approvals;

/// <summary>
/// Everything a paused request needs to continue in another process: the request, what the earlier stages decided, the
/// conversation, the pending calls, the budget used, the stage timeline, the evidence written so far and the saga log.
/// Secrets are never part of it (they are resolved again when a tool runs).
/// </summary>
internal sealed record RequestCheckpoint
{
    public const string CurrentFormat = "aruntime.checkpoint/1";

    public string Format { get; init; } = CurrentFormat;

    public required string RequestId { get; init; }

    public required RuntimeRequest Request { get; init; }

    public required DateTimeOffset AdmittedAt { get; init; }

    public required string TraceId { get; init; }

    public string? ParentSpanId { get; init; }

    public required DataClassification Classification { get; init; }

    public required AuthorityGrant Authority { get; init; }

    public required RiskAssessment Risk { get; init; }

    public required List<string> OfferedTools { get; init; }

    public required List<ContextItem> ContextItems { get; init; }

    public required List<Citation> Citations { get; init; }

    public required List<string> Uncertainty { get; init; }

    public required List<string> Qualifications { get; init; }

    public required Dictionary<string, string> UnavailableContext { get; init; }

    public string? RetrievalIndexVersion { get; init; }

    public RoutePlan? RoutePlan { get; init; }

    public int RouteIndex { get; init; }

    public required List<AgentMessage> Transcript { get; init; }

    public int RepairAttempts { get; init; }

    public int TurnCount { get; init; }

    public required List<CheckpointCall> Calls { get; init; }

    public bool UsesEnvelope { get; init; }

    public required ApprovalTicket PendingApproval { get; init; }

    public required BudgetLimits Limits { get; init; }

    public required BudgetCounters Counters { get; init; }

    public required List<StageSummary> Timeline { get; init; }

    public int NextSequence { get; init; }

    public required List<EvidenceRecord> Records { get; init; }

    public bool EvidenceDegraded { get; init; }

    public required List<ToolCallSummary> ToolCalls { get; init; }

    public required List<CheckpointSideEffect> SideEffects { get; init; }

    public required VersionSet Versions { get; init; }

    public bool HoldsIdempotencyKey { get; init; }
}

/// <summary>A call of the paused turn.</summary>
internal sealed record CheckpointCall
{
    public required ToolCall Call { get; init; }

    public JsonElement EffectiveArguments { get; init; }

    public List<string> ValidationErrors { get; init; } = [];

    public PolicyDecision? Decision { get; init; }

    public ToolCallOutcome? Outcome { get; init; }

    public ToolResult? Result { get; init; }

    public string? OperationKey { get; init; }

    public List<string> ReasonCodes { get; init; } = [];

    public string? Explanation { get; init; }

    public bool Approved { get; init; }

    public ActorIdentity? ApprovedBy { get; init; }

    public bool ChangedByApprover { get; init; }

    public int Attempts { get; init; }

    public bool Reported { get; init; }
}

/// <summary>A saga entry.</summary>
internal sealed record CheckpointSideEffect
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    public required string ToolVersion { get; init; }

    public SideEffectClass SideEffect { get; init; }

    public required string OperationKey { get; init; }

    public required ToolCall Call { get; init; }

    public bool Compensable { get; init; }

    public int State { get; init; }

    public ToolResult? Result { get; init; }

    public List<string> ChangedResources { get; init; } = [];

    public string? CompensationDetail { get; init; }

    public bool OutcomeUnknown { get; init; }
}

/// <summary>The budget counters.</summary>
internal sealed record BudgetCounters
{
    public long PromptTokens { get; init; }

    public long CachedPromptTokens { get; init; }

    public long GeneratedTokens { get; init; }

    public decimal Cost { get; init; }

    public int ToolCalls { get; init; }

    public int Retries { get; init; }

    public int ModelTurns { get; init; }

    public int HumanReviews { get; init; }

    public TimeSpan WallTime { get; init; }
}
