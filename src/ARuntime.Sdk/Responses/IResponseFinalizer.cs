namespace ARuntime.Sdk.Responses;

/// <summary>
/// The host's policy for response finalization (lifecycle stage 12): it sees every answer before the answer leaves the
/// runtime and may revise it — redact, reword, add a disclaimer — or add qualifications for the caller.
/// </summary>
/// <remarks>
/// Finalizers run in registration order, each on the answer the previous one left; the runtime's own credential redaction
/// runs after them. They run for every result that carries an answer (a request that timed out or stopped partway may still
/// have one), not for a request paused for approval. A revised answer of a request with an output contract must still
/// satisfy the contract. A finalizer that throws, or revises a structured answer into one the contract refuses, fails the
/// request closed: the answer is withheld (<see cref="AgentErrorCodes.ResponseFinalizationFailed"/>), because a finalizer
/// may be what keeps data out of it; so is an answer whose review could not finish (the grace period ran out). Each
/// revision is recorded in the stage's evidence record (the finalizer's name and reason code; digests, not text).
/// </remarks>
public interface IResponseFinalizer
{
    /// <summary>Gets the finalizer's name, recorded in evidence.</summary>
    string Name { get; }

    /// <summary>Reviews the answer.</summary>
    /// <param name="draft">The answer and what it answers.</param>
    /// <param name="cancellationToken">Cancels the review (the request's grace period).</param>
    /// <returns>A revision, or <see langword="null"/> to leave the answer as it is.</returns>
    ValueTask<ResponseRevision?> FinalizeAsync(ResponseDraft draft, CancellationToken cancellationToken = default);
}
