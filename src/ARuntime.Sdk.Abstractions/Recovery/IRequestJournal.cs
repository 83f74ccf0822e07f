namespace ARuntime.Sdk.Recovery;

/// <summary>
/// Where requests stand, kept so that a request the process was running when it stopped is found on restart and reported
/// as interrupted, never silently lost. A durable journal lives beside the evidence store.
/// </summary>
public interface IRequestJournal
{
    /// <summary>Creates or replaces a request's entry.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the entry is recorded.</returns>
    ValueTask UpsertAsync(RequestJournalEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads a request's entry.</summary>
    /// <param name="tenantId">The tenant (a request of another tenant is never returned).</param>
    /// <param name="requestId">The request id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    ValueTask<RequestJournalEntry?> GetAsync(string tenantId, string requestId, CancellationToken cancellationToken = default);

    /// <summary>Lists the entries still marked <see cref="RequestState.Running"/> (on startup: requests a previous process did not finish).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entries.</returns>
    IAsyncEnumerable<RequestJournalEntry> ListRunningAsync(CancellationToken cancellationToken = default);
}
