using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>
/// Writes one request's evidence records: numbers them, fills the correlation fields every record carries, and applies the
/// "trace persistence failure" row — a record that must be durable before the next step fails the request closed; any other
/// record that cannot be written is buffered (bounded) and the request continues marked degraded.
/// </summary>
internal sealed class EvidenceRecorder
{
    private readonly IEvidenceSink sink;
    private readonly List<EvidenceRecord> written = [];
    private readonly List<EvidenceRecord> buffered = [];
    private readonly int maxBuffered;

    public EvidenceRecorder(IEvidenceSink sink, IReadOnlyList<string> flags, int maxBuffered, int nextSequence = 1)
    {
        this.sink = sink;
        BaseFlags = flags;
        this.maxBuffered = maxBuffered;
        NextSequence = nextSequence;
    }

    /// <summary>Gets the flags every record of this runtime carries (volatile storage, raw content).</summary>
    public IReadOnlyList<string> BaseFlags { get; }

    public int NextSequence { get; private set; }

    /// <summary>Gets the records of this request built so far (written or buffered), in order.</summary>
    public IReadOnlyList<EvidenceRecord> Records => written;

    /// <summary>Gets whether a record could not be written and the request runs degraded.</summary>
    public bool Degraded { get; private set; }

    /// <summary>Gets the number of records buffered after write failures and not yet persisted.</summary>
    public int BufferedCount => buffered.Count;

    /// <summary>Gets the number of records dropped because the buffer was full.</summary>
    public int DroppedCount { get; private set; }

    public int AllocateSequence() => NextSequence++;

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
        try
        {
            await sink.WriteAsync(record, durability, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Degraded = true;
            Buffer(record);
            if (durability is EvidenceDurability.Durable)
            {
                throw new EvidenceRequiredException(record.Stage, ex);
            }
        }
    }

    /// <summary>Retries buffered records and flushes; returns how many buffered records were persisted now.</summary>
    public async ValueTask<int> ReconcileAndFlushAsync(CancellationToken cancellationToken)
    {
        var persisted = 0;
        while (buffered.Count > 0)
        {
            var record = buffered[0];
            await sink.WriteAsync(record, EvidenceDurability.Acknowledged, cancellationToken).ConfigureAwait(false);
            buffered.RemoveAt(0);
            persisted++;
        }

        await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        return persisted;
    }

    private void Buffer(EvidenceRecord record)
    {
        if (buffered.Count >= maxBuffered)
        {
            DroppedCount++;
            return;
        }

        buffered.Add(record);
    }
}
