using System.Runtime.CompilerServices;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>
/// A volatile evidence store for development and tests: records live in memory, partitioned by tenant, and are lost when
/// the process exits. Register it only explicitly (<c>UseInMemoryEvidence()</c>); every record written through the runtime
/// then carries the <c>volatile-storage</c> flag.
/// </summary>
public sealed class InMemoryEvidenceStore : IEvidenceSink, IEvidenceReader
{
    private readonly Dictionary<string, Queue<EvidenceRecord>> byTenant = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly int maxRecordsPerTenant;

    /// <summary>Initializes a new instance that keeps every record.</summary>
    public InMemoryEvidenceStore()
        : this(int.MaxValue)
    {
    }

    /// <summary>Initializes a new instance that keeps at most <paramref name="maxRecordsPerTenant"/> records per tenant, dropping the oldest (long-running development hosts).</summary>
    /// <param name="maxRecordsPerTenant">The per-tenant capacity.</param>
    public InMemoryEvidenceStore(int maxRecordsPerTenant)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordsPerTenant, 1);
        this.maxRecordsPerTenant = maxRecordsPerTenant;
    }

    /// <summary>Gets the number of records stored across all tenants.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                var count = 0;
                foreach (var records in byTenant.Values)
                {
                    count += records.Count;
                }

                return count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (gate)
        {
            if (!byTenant.TryGetValue(record.TenantId, out var records))
            {
                records = new Queue<EvidenceRecord>();
                byTenant.Add(record.TenantId, records);
            }

            if (records.Count >= maxRecordsPerTenant)
            {
                records.Dequeue();
            }

            records.Enqueue(record);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async IAsyncEnumerable<EvidenceRecord> QueryAsync(EvidenceQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(query.TenantId);
        EvidenceRecord[] snapshot;
        lock (gate)
        {
            snapshot = byTenant.TryGetValue(query.TenantId, out var records) ? [.. records] : [];
        }

        var returned = 0;
        foreach (var record in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
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
}
