namespace ARuntime.Sdk.Approvals;

/// <summary>
/// Where paused requests wait for approval. A durable store lets an approval granted in a later process resume the request.
/// Every operation is scoped to a tenant, except the runtime's expiry listing (<see cref="ListExpiredAsync"/>), which returns ids only.
/// </summary>
public interface IApprovalStore
{
    /// <summary>Saves a paused request (durably, for durable stores) before the pause is reported to the caller.</summary>
    /// <param name="request">The paused request.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the request is saved.</returns>
    ValueTask SaveAsync(PausedRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a pending approval without claiming it.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="approvalId">The approval id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The paused request, or <see langword="null"/> when the tenant has no such pending approval.</returns>
    ValueTask<PausedRequest?> GetAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default);

    /// <summary>Atomically claims a pending approval for resumption, so that two concurrent resumes cannot both run it.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="approvalId">The approval id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The paused request, or <see langword="null"/> when it does not exist or was already claimed.</returns>
    ValueTask<PausedRequest?> TryClaimAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default);

    /// <summary>Lists a tenant's pending approvals.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The tickets.</returns>
    IAsyncEnumerable<ApprovalTicket> ListPendingAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists unclaimed approvals of every tenant that expired at or before <paramref name="asOf"/>, oldest expiry first, so
    /// that the runtime's expiry sweep can end their requests (and compensate what they did) without waiting for a resume.
    /// </summary>
    /// <remarks>
    /// A maintenance query across tenants, used by the runtime only: it returns ids, never a checkpoint or a ticket's
    /// contents. The default implementation lists nothing: expired requests of such a store then end only when someone
    /// resumes them, as before. Stores should implement it.
    /// </remarks>
    /// <param name="asOf">The time to compare expiries against.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The expired approvals.</returns>
    IAsyncEnumerable<ExpiredApproval> ListExpiredAsync(DateTimeOffset asOf, CancellationToken cancellationToken = default) =>
        AsyncEnumerable.Empty<ExpiredApproval>();
}
