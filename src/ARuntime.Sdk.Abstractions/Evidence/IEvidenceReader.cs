using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>Reads evidence back. Every query is scoped to one tenant; records of another tenant are never returned.</summary>
public interface IEvidenceReader
{
    /// <summary>Returns the records matching a query, in write order.</summary>
    /// <param name="query">The query; <see cref="EvidenceQuery.TenantId"/> is required.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The records.</returns>
    IAsyncEnumerable<EvidenceRecord> QueryAsync(EvidenceQuery query, CancellationToken cancellationToken = default);
}
