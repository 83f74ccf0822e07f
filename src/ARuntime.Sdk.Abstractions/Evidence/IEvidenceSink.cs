using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>
/// Where evidence records go. The runtime writes every stage's record through it; sinks for durable stores batch writes
/// (group commit) and acknowledge <see cref="EvidenceDurability.Durable"/> writes only once the record is committed.
/// </summary>
/// <remarks>
/// A sink reports failure by throwing <see cref="EvidenceWriteException"/>. The runtime then follows the "trace persistence
/// failure" row: evidence-required work fails closed; other work continues marked degraded.
/// </remarks>
public interface IEvidenceSink
{
    /// <summary>Writes a record.</summary>
    /// <param name="record">The record.</param>
    /// <param name="durability">Whether to return on enqueue or only after the record is durable.</param>
    /// <param name="cancellationToken">Cancels waiting; a record already enqueued is still written.</param>
    /// <returns>A task that completes when the record reached the requested durability.</returns>
    /// <exception cref="EvidenceWriteException">The record could not be written.</exception>
    ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default);

    /// <summary>Waits until every record written so far is durable.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the records are durable.</returns>
    /// <exception cref="EvidenceWriteException">Records could not be made durable.</exception>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
