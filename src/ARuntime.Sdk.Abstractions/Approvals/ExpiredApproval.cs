namespace ARuntime.Sdk.Approvals;

/// <summary>
/// A pending approval whose expiry has passed and that nobody has claimed yet, as listed by
/// <see cref="IApprovalStore.ListExpiredAsync"/>. It names the approval only: the runtime claims it and ends its request.
/// </summary>
public sealed record ExpiredApproval
{
    /// <summary>Gets the tenant that owns the approval.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the approval id.</summary>
    public required string ApprovalId { get; init; }

    /// <summary>Gets the paused request's id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets when the approval expired.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}
