using ARuntime.Sdk.Recovery;

namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// Lets a retry take over the idempotency key of a request the previous process was running when it stopped. Without it the
/// key would stay "in progress" until it expires; with it the retry runs again under the same key, so its tool calls derive
/// the same operation keys and the operation ledger and status queries reconcile what already happened instead of repeating
/// it. A key is taken over only when the request journal shows its holder interrupted (recorded on startup).
/// </summary>
internal static class InterruptedKeyTakeover
{
    public static async ValueTask<IdempotencyClaim?> TryAsync(
        IIdempotencyStore store,
        IRequestJournal journal,
        IdempotencyClaim claim,
        string tenantId,
        string key,
        string digest,
        string requestId,
        DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        if (claim.Status != IdempotencyClaimStatus.InProgress)
        {
            return null;
        }

        var holder = await journal.GetAsync(tenantId, claim.OriginalRequestId, cancellationToken).ConfigureAwait(false);
        if (holder is not { State: RequestState.Interrupted }
            || !await store.ReleaseAsync(tenantId, key, claim.OriginalRequestId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return await store.TryClaimAsync(tenantId, key, digest, requestId, expiresAt, cancellationToken).ConfigureAwait(false);
    }
}
