using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Approvals;

/// <summary>An approver's decision on a pending approval, passed to <see cref="IAgentRuntime.ResumeAsync"/>.</summary>
public sealed record ApprovalDecision
{
    /// <summary>Gets the approval id from the <see cref="ApprovalTicket"/>.</summary>
    public required string ApprovalId { get; init; }

    /// <summary>Gets the tenant the approval belongs to.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the approver, as authenticated by the host.</summary>
    public required ActorIdentity Approver { get; init; }

    /// <summary>Gets the verdict.</summary>
    public required ApprovalVerdict Verdict { get; init; }

    /// <summary>Gets the changed arguments, for <see cref="ApprovalVerdict.ApproveWithChanges"/>.</summary>
    public JsonElement? ChangedArguments { get; init; }

    /// <summary>Gets the approver's comment (recorded as a digest, shown to the model on rejection).</summary>
    public string? Comment { get; init; }
}
