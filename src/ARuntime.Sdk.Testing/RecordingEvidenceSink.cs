using System.Runtime.CompilerServices;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;

namespace ARuntime.Sdk.Testing;

/// <summary>
/// An evidence sink for tests: records every record in write order, answers queries, and can simulate an evidence outage
/// (failing writes or flushes) to exercise the "trace persistence failure" row.
/// </summary>
public sealed class RecordingEvidenceSink : IEvidenceSink, IEvidenceReader
{
    private readonly List<(EvidenceRecord Record, EvidenceDurability Durability)> records = [];
    private readonly Lock gate = new();

    /// <summary>Gets or sets a predicate selecting writes that fail with <see cref="EvidenceWriteException"/> (an outage); <see langword="null"/> fails none.</summary>
    public Func<EvidenceRecord, EvidenceDurability, bool>? FailWhen { get; set; }

    /// <summary>Gets or sets whether <see cref="FlushAsync"/> fails.</summary>
    public bool FailFlush { get; set; }

    /// <summary>Gets the number of writes that failed.</summary>
    public int FailedWrites { get; private set; }

    /// <summary>Gets every record written, in order.</summary>
    public IReadOnlyList<EvidenceRecord> Records
    {
        get
        {
            lock (gate)
            {
                return [.. records.Select(r => r.Record)];
            }
        }
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (gate)
        {
            if (FailWhen?.Invoke(record, durability) == true)
            {
                FailedWrites++;
                throw new EvidenceWriteException("Simulated evidence outage.");
            }

            records.Add((record, durability));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        FailFlush ? ValueTask.FromException(new EvidenceWriteException("Simulated flush failure.")) : ValueTask.CompletedTask;

    /// <inheritdoc />
    public async IAsyncEnumerable<EvidenceRecord> QueryAsync(EvidenceQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var returned = 0;
        foreach (var record in Records)
        {
            if (query.Matches(record))
            {
                yield return record;
                if (query.Limit is { } limit && ++returned >= limit)
                {
                    yield break;
                }
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Returns a request's records, in order.</summary>
    /// <param name="requestId">The request id.</param>
    /// <returns>The records.</returns>
    public IReadOnlyList<EvidenceRecord> ForRequest(string requestId) => [.. Records.Where(r => r.RequestId == requestId)];

    /// <summary>Returns a request's stage records (kind <c>stage</c>), in order: the stage timeline as recorded.</summary>
    /// <param name="requestId">The request id.</param>
    /// <returns>The stage records.</returns>
    public IReadOnlyList<EvidenceRecord> StageRecords(string requestId) => [.. ForRequest(requestId).Where(r => r.Kind == EvidenceKinds.Stage)];

    /// <summary>Returns the distinct stages a request recorded, in the order they first appear.</summary>
    /// <param name="requestId">The request id.</param>
    /// <returns>The stages.</returns>
    public IReadOnlyList<LifecycleStage> StagesInOrder(string requestId) => [.. StageRecords(requestId).Select(r => r.Stage).Distinct()];

    /// <summary>Returns a request's records of one kind.</summary>
    /// <param name="requestId">The request id.</param>
    /// <param name="kind">The kind (see <see cref="EvidenceKinds"/>).</param>
    /// <returns>The records.</returns>
    public IReadOnlyList<EvidenceRecord> OfKind(string requestId, string kind) => [.. ForRequest(requestId).Where(r => r.Kind == kind)];

    /// <summary>Returns the durability each of a request's records was written with.</summary>
    /// <param name="requestId">The request id.</param>
    /// <returns>The records with their durability.</returns>
    public IReadOnlyList<(EvidenceRecord Record, EvidenceDurability Durability)> WithDurability(string requestId)
    {
        lock (gate)
        {
            return [.. records.Where(r => r.Record.RequestId == requestId)];
        }
    }
}
