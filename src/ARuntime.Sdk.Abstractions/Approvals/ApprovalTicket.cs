using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Approvals;

/// <summary>What a paused request waits for: the call to approve, why approval is needed, the conditions, and the expiry.</summary>
public sealed record ApprovalTicket
{
    /// <summary>Gets the approval id to resume with.</summary>
    public required string ApprovalId { get; init; }

    /// <summary>Gets the paused request's id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the actor whose request it is.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>Gets the ids of the principals who delegated to the requester (none of them may approve when a distinct approver is required).</summary>
    public IReadOnlyList<string> DelegatedBy { get; init => field = value ?? []; } = [];

    /// <summary>
    /// Gets what the approval is for: a tool call (the default), or extending a budget the request exhausted. For a budget
    /// extension <see cref="ToolName"/> is <c>aruntime.budget_extension</c> and <see cref="Arguments"/> holds the dimension,
    /// the use, the limit and the proposed limit; approving with changes sets <c>{"limit": …}</c>.
    /// </summary>
    public ApprovalKind Kind { get; init; } = ApprovalKind.ToolCall;

    /// <summary>Gets the call id.</summary>
    public required string CallId { get; init; }

    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the tool version.</summary>
    public required string ToolVersion { get; init; }

    /// <summary>Gets the arguments to approve (secrets redacted).</summary>
    public required JsonElement Arguments { get; init; }

    /// <summary>Gets the tool's side-effect class.</summary>
    public SideEffectClass SideEffect { get; init; }

    /// <summary>Gets why approval is needed.</summary>
    public string? Explanation { get; init; }

    /// <summary>Gets the policy reason codes.</summary>
    public IReadOnlyList<string> ReasonCodes { get; init => field = value ?? []; } = [];

    /// <summary>Gets the version of the policy that required approval.</summary>
    public required string PolicyVersion { get; init; }

    /// <summary>Gets the conditions the approval must meet.</summary>
    public required ApprovalRequirement Requirement { get; init; }

    /// <summary>Gets when approval was requested.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the approval expires; the request then terminates safely.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Gets the ids of the evidence records written so far, for the approver to review.</summary>
    public IReadOnlyList<string> EvidenceRecordIds { get; init => field = value ?? []; } = [];
}
