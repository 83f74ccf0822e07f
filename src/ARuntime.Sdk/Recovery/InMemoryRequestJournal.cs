using System.Runtime.CompilerServices;

namespace ARuntime.Sdk.Recovery;

/// <summary>A volatile request journal (the default): statuses are kept in memory for the life of the process.</summary>
public sealed class InMemoryRequestJournal : IRequestJournal
{
    private readonly Dictionary<(string Tenant, string Id), RequestJournalEntry> entries = [];
    private readonly Lock gate = new();

    /// <inheritdoc />
    public ValueTask UpsertAsync(RequestJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (gate)
        {
            entries[(entry.TenantId, entry.RequestId)] = entry;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RequestJournalEntry?> GetAsync(string tenantId, string requestId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(entries.GetValueOrDefault((tenantId, requestId)));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RequestJournalEntry> ListRunningAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<RequestJournalEntry> running;
        lock (gate)
        {
            running = [.. entries.Values.Where(e => e.State == RequestState.Running)];
        }

        foreach (var entry in running)
        {
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
