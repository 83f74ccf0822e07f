namespace ARuntime.Sdk.Context;

/// <summary>
/// A pluggable source of context (documents, memory, host data). A source returns items with provenance, freshness and
/// scope; the runtime filters them by tenant, scope, freshness and token budget. A source must return only what it has —
/// an empty result is an answer, never something to fill in.
/// </summary>
public interface IContextSource
{
    /// <summary>Gets the source name requests refer to.</summary>
    string Name { get; }

    /// <summary>Fetches items for a query.</summary>
    /// <param name="query">The query, scoped to a tenant.</param>
    /// <param name="cancellationToken">Cancelled on the source's timeout or the request's deadline.</param>
    /// <returns>The items.</returns>
    ValueTask<ContextSourceResult> FetchAsync(ContextQuery query, CancellationToken cancellationToken = default);
}
