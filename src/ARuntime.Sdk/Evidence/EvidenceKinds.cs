namespace ARuntime.Sdk.Evidence;

/// <summary>The values of <see cref="Contracts.EvidenceRecord.Kind"/> the runtime writes; see docs/evidence-records.md.</summary>
public static class EvidenceKinds
{
    /// <summary>One execution of a lifecycle stage (every stage writes one per execution).</summary>
    public const string Stage = "stage";

    /// <summary>One inference attempt on one deployment.</summary>
    public const string InferenceAttempt = "inference.attempt";

    /// <summary>One repair request after invalid model output.</summary>
    public const string OutputRepair = "output.repair";

    /// <summary>One policy decision about one action.</summary>
    public const string PolicyDecision = "policy.decision";

    /// <summary>A side-effecting tool call is about to run (durable before it runs).</summary>
    public const string ToolStarted = "tool.started";

    /// <summary>One tool call's outcome.</summary>
    public const string ToolCall = "tool.call";

    /// <summary>One compensation of an earlier call.</summary>
    public const string Compensation = "tool.compensation";

    /// <summary>An approval was requested.</summary>
    public const string ApprovalRequested = "approval.requested";

    /// <summary>An approval decision was applied.</summary>
    public const string ApprovalDecided = "approval.decided";

    /// <summary>A context source was asked.</summary>
    public const string ContextSource = "context.source";

    /// <summary>A memory item was retained, corrected or deleted.</summary>
    public const string MemoryChange = "memory.change";

    /// <summary>A budget dimension ran out.</summary>
    public const string BudgetExhausted = "budget.exhausted";

    /// <summary>An approver extended an exhausted budget.</summary>
    public const string BudgetExtended = "budget.extended";

    /// <summary>The request's budget use: every counter against its limit, and how the request ended.</summary>
    public const string BudgetUsage = "budget.usage";

    /// <summary>A failure-model row was detected.</summary>
    public const string Incident = "incident";

    /// <summary>The request's manifest: the count and chained digest of all its records.</summary>
    public const string Manifest = "request.manifest";

    /// <summary>Records were lost or delayed by an evidence outage.</summary>
    public const string Gap = "evidence.gap";

    /// <summary>An approval decision was refused (approver not permitted, changes not allowed); outside the request's sequence.</summary>
    public const string ApprovalRefused = "approval.refused";

    /// <summary>A request found interrupted on restart.</summary>
    public const string Interrupted = "request.interrupted";
}
