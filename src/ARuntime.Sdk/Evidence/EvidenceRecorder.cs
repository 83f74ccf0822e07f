using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>
/// Writes one request's evidence records and applies the "trace persistence failure" row: a record that must be durable
/// before the next step fails the request closed (<see cref="EvidenceRequiredException"/>); any other record the store
/// cannot take is kept in the process-wide <see cref="EvidenceBuffer"/> (bounded) and the request continues marked
/// degraded. The buffer writes the records — and a gap record — when the store recovers, even after the request returned.
/// </summary>
internal sealed class EvidenceRecorder
{
    private readonly EvidenceBuffer buffer;
    private readonly List<EvidenceRecord> written = new(32);
    private readonly List<string> bufferedIds = [];

    public EvidenceRecorder(IEvidenceSink sink, IReadOnlyList<string> flags, int maxBuffered, int nextSequence = 1)
    {
        // The runtime passes its process-wide buffer; any other sink gets a buffer of its own (no timer: flushes reconcile).
        buffer = sink as EvidenceBuffer ?? new EvidenceBuffer(sink, maxBuffered, null, TimeProvider.System);
        BaseFlags = flags;
        NextSequence = nextSequence;
    }

    /// <summary>Gets the flags every record of this runtime carries (volatile storage, raw content).</summary>
    public IReadOnlyList<string> BaseFlags { get; }

    public int NextSequence { get; private set; }

    /// <summary>Gets the records of this request built so far (written or buffered), in order.</summary>
    public IReadOnlyList<EvidenceRecord> Records => written;

    /// <summary>Gets whether a record could not be written and the request runs degraded.</summary>
    public bool Degraded { get; private set; }

    /// <summary>Gets the number of this request's records still waiting for the store.</summary>
    public int BufferedCount => bufferedIds.Count(buffer.IsPending);

    /// <summary>Gets the number of this request's records lost because the backlog was full.</summary>
    public int DroppedCount { get; private set; }

    public int AllocateSequence() => NextSequence++;

    /// <summary>Marks the request degraded (for example when the store accepted records but could not make them durable).</summary>
    public void MarkDegraded() => Degraded = true;

    /// <summary>Restores the records a paused run wrote (for evaluation of the resumed request).</summary>
    public void Restore(IEnumerable<EvidenceRecord> records, bool degraded)
    {
        written.AddRange(records);
        Degraded |= degraded;
    }

    /// <summary>Writes a record; throws <see cref="EvidenceRequiredException"/> when a durable write fails.</summary>
    public async ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken)
    {
        written.Add(record);
        var status = await buffer.WriteOrBufferAsync(record, durability, cancellationToken).ConfigureAwait(false);
        if (status == EvidenceWriteStatus.Written)
        {
            return;
        }

        Degraded = true;
        if (status == EvidenceWriteStatus.Buffered)
        {
            bufferedIds.Add(record.RecordId);
        }
        else
        {
            DroppedCount++;
        }

        if (durability is EvidenceDurability.Durable)
        {
            throw new EvidenceRequiredException(record.Stage, new EvidenceWriteException("The evidence store did not make the record durable; it is " + (status == EvidenceWriteStatus.Buffered ? "buffered." : "lost (backlog full).")));
        }
    }

    /// <summary>
    /// Writes what the backlog holds and flushes; returns how many of this request's buffered records reached the store now.
    /// Throws <see cref="EvidenceWriteException"/> when the store is still failing (the records stay buffered).
    /// </summary>
    public async ValueTask<int> ReconcileAndFlushAsync(CancellationToken cancellationToken)
    {
        var pending = BufferedCount;
        await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
        bufferedIds.Clear();
        return pending;
    }
}
