namespace ARuntime.Sdk.Approvals;

/// <summary>
/// Told each time the runtime's expiry sweep ends a request whose approval expired without a decision: the place to tell
/// the requester (the sweep, not a caller, holds the result). Register with
/// <c>AddApprovalExpiredHandler&lt;T&gt;()</c> or <c>OnApprovalExpired(...)</c>; every registered handler is told, in
/// registration order.
/// </summary>
/// <remarks>
/// The request has already ended (its journal entry, idempotency key and evidence are closed) when a handler is told; a
/// handler that throws is logged and does not affect the request, the other handlers or the sweep. Handlers run on the
/// sweep, one after the other: keep them short, or hand the work off.
/// </remarks>
public interface IApprovalExpiredHandler
{
    /// <summary>Handles a request the expiry sweep ended.</summary>
    /// <param name="approval">The approval that expired.</param>
    /// <param name="result">The ended request's result (normally <see cref="AgentRunStatus.Expired"/>).</param>
    /// <param name="cancellationToken">Cancelled when the sweep is stopped (the runtime is disposed, or the host cancelled its sweep).</param>
    /// <returns>A task that completes when the handler is done.</returns>
    ValueTask OnExpiredAsync(ExpiredApproval approval, AgentResult result, CancellationToken cancellationToken);
}
