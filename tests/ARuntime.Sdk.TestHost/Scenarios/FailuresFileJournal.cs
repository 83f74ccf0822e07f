using System.Runtime.CompilerServices;
using System.Text.Json;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Serialization;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>A durable request journal on a JSON-lines file: the last entry of a request wins.</summary>
internal sealed class FailuresFileJournal(string directory) : IRequestJournal
{
    private readonly FailuresJsonLinesFile file = new(Path.Combine(directory, "journal.jsonl"));

    public ValueTask UpsertAsync(RequestJournalEntry entry, CancellationToken cancellationToken = default)
    {
        file.Append(JsonSerializer.Serialize(entry, ARuntimeJsonContext.Default.RequestJournalEntry));
        return ValueTask.CompletedTask;
    }

    public ValueTask<RequestJournalEntry?> GetAsync(string tenantId, string requestId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Latest().GetValueOrDefault((tenantId, requestId)));

    public async IAsyncEnumerable<RequestJournalEntry> ListRunningAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var entry in Latest().Values.Where(e => e.State == RequestState.Running))
        {
            yield return entry;
        }

        await Task.CompletedTask;
    }

    private Dictionary<(string, string), RequestJournalEntry> Latest()
    {
        var latest = new Dictionary<(string, string), RequestJournalEntry>();
        foreach (var element in file.ReadAll())
        {
            var entry = element.Deserialize(ARuntimeJsonContext.Default.RequestJournalEntry)!;
            latest[(entry.TenantId, entry.RequestId)] = entry;
        }

        return latest;
    }
}
