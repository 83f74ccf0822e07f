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
    private readonly Dictionary<string, List<EvidenceRecord>> byTenant = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

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
                records = [];
                byTenant.Add(record.TenantId, records);
            }

            records.Add(record);
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
