using System.Text.Json;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evaluation;

namespace ARuntime.Sdk;

/// <summary>
/// The result of a request: its status, the answer (when there is one), what was done and what was not, and how it was
/// produced. <see cref="IAgentRuntime"/> returns a result for every outcome, failures included; it does not throw for
/// runtime outcomes.
/// </summary>
public sealed record AgentResult : IVersionedContract
{
    /// <inheritdoc />
    public string ContractVersion { get; init; } = ContractVersions.Current;

    /// <summary>Gets the request id the runtime assigned (empty only if the request could not be read at all).</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the tenant, if the request named one.</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets the caller's correlation id, if any.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Gets how the request ended.</summary>
    public required AgentRunStatus Status { get; init; }

    /// <summary>Gets the answer text (for a structured answer, its JSON text).</summary>
    public string? Answer { get; init; }

    /// <summary>Gets the structured answer, when the request had an output contract and the answer satisfied it.</summary>
    public JsonElement? StructuredAnswer { get; init; }

    /// <summary>Gets the typed error, for every status but <see cref="AgentRunStatus.Completed"/> and <see cref="AgentRunStatus.PendingApproval"/>.</summary>
    public AgentError? Error { get; init; }

    /// <summary>Gets whether the answer comes with caveats the caller should see (see <see cref="Qualifications"/>).</summary>
    public bool IsQualified => Qualifications.Count > 0;

    /// <summary>Gets the caveats: a capability-changing fallback, missing context, a budget that ended the task early, denied calls.</summary>
    public IReadOnlyList<string> Qualifications { get; init => field = value ?? []; } = [];

    /// <summary>Gets what the runtime knows it does not know (for example context that was requested but unavailable).</summary>
    public IReadOnlyList<string> Uncertainty { get; init => field = value ?? []; } = [];

    /// <summary>Gets the context items the answer was produced with.</summary>
    public IReadOnlyList<Citation> Citations { get; init => field = value ?? []; } = [];

    /// <summary>Gets what each lifecycle stage did, in lifecycle order.</summary>
    public IReadOnlyList<StageSummary> Stages { get; init => field = value ?? []; } = [];

    /// <summary>Gets what the request consumed.</summary>
    public UsageSummary Usage { get; init => field = value ?? UsageSummary.Empty; } = UsageSummary.Empty;

    /// <summary>Gets every tool call the model proposed and what became of it.</summary>
    public IReadOnlyList<ToolCallSummary> ToolCalls { get; init => field = value ?? []; } = [];

    /// <summary>Gets the approval the request waits for, for <see cref="AgentRunStatus.PendingApproval"/>.</summary>
    public ApprovalTicket? PendingApproval { get; init; }

    /// <summary>Gets the deployment that produced the answer, if inference ran.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the evaluation scores of the finished request.</summary>
    public IReadOnlyList<EvaluationScore> Evaluations { get; init => field = value ?? []; } = [];

    /// <summary>Gets the number of evidence records the request wrote.</summary>
    public int EvidenceRecordCount { get; init; }

    /// <summary>Gets whether the request ran with evidence in a degraded mode (buffered after a write failure, or volatile storage).</summary>
    public bool EvidenceDegraded { get; init; }

    /// <summary>Gets when the result was produced.</summary>
    public DateTimeOffset CompletedAt { get; init; }
}
