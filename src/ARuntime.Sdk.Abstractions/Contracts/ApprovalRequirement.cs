using System.Text.Json.Serialization;

namespace ARuntime.Sdk.Contracts;

/// <summary>The conditions an approval must meet, set by the policy that required it.</summary>
public sealed record ApprovalRequirement
{
    /// <summary>Initializes a new instance (separation of duties required unless set).</summary>
    public ApprovalRequirement()
    {
    }

    /// <summary>
    /// Initializes a new instance. JSON readers use this constructor, so that a decision that leaves
    /// <c>requireDistinctApprover</c> out keeps separation of duties rather than the <see langword="false"/> a
    /// source-generated reader would set (dotnet/runtime#84484), which would let requesters approve their own calls.
    /// </summary>
    /// <param name="requireDistinctApprover">Whether the approver must be a different principal.</param>
    [JsonConstructor]
    public ApprovalRequirement(bool requireDistinctApprover = true)
    {
        RequireDistinctApprover = requireDistinctApprover;
    }

    /// <summary>Gets the roles of which an approver must hold at least one; empty accepts any authenticated approver.</summary>
    public IReadOnlyList<string> ApproverRoles { get; init; } = [];

    /// <summary>Gets whether the approver must be a different principal from the requesting actor and its delegators (separation of duties).</summary>
    public bool RequireDistinctApprover { get; init; } = true;

    /// <summary>Gets how long the approval may wait before the request terminates safely.</summary>
    public TimeSpan ExpiresAfter { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Gets whether the approver may change the arguments (the changed call is authorized again before it runs).</summary>
    public bool AllowChanges { get; init; } = true;
}
