namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// Request idempotency keys, with the digest of the request that first used each, following the semantics of the IETF
/// Idempotency-Key draft: a repeat returns the original result (failures included), a different request under the same key
/// is a conflict, and a repeat while the original runs is an in-progress conflict.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>Claims a key atomically.</summary>
    /// <param name="tenantId">The tenant (keys are per tenant).</param>
    /// <param name="key">The idempotency key.</param>
    /// <param name="requestDigest">A digest of the request's content.</param>
    /// <param name="requestId">The id of the request claiming the key.</param>
    /// <param name="expiresAt">When the key may be forgotten.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The claim.</returns>
    ValueTask<IdempotencyClaim> TryClaimAsync(string tenantId, string key, string requestDigest, string requestId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the final result of the request holding a key (<see cref="AgentResult.RequestId"/> names it). A key now held
    /// by another request — this one's claim expired while it was paused, and a retry claimed the key — keeps that request's
    /// claim and result: implementations compare the holder before writing.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="key">The idempotency key.</param>
    /// <param name="result">The result.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the result is recorded.</returns>
    ValueTask CompleteAsync(string tenantId, string key, AgentResult result, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases a key whose holder ended without recording a result — a request the process was running when it stopped — so
    /// that a retry of the same request can claim it (and reconcile its tool operations through the operation ledger instead
    /// of repeating them). Releases only while <paramref name="requestId"/> still holds the key and no result is recorded.
    /// </summary>
    /// <remarks>
    /// The default implementation releases nothing: the key then stays in progress until it expires, which is safe (nothing
    /// runs twice) but leaves retries of an interrupted request in conflict. Durable stores should implement it.
    /// </remarks>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="key">The idempotency key.</param>
    /// <param name="requestId">The interrupted request that holds the key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the key was released.</returns>
    ValueTask<bool> ReleaseAsync(string tenantId, string key, string requestId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(false);
}
