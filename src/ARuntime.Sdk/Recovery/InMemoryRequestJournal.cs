using System.Runtime.CompilerServices;

namespace ARuntime.Sdk.Recovery;

/// <summary>
/// A volatile request journal (the default): statuses are kept in memory for the life of the process. Running and paused
/// requests are always kept; of the ended ones (finished or interrupted), only the most recent
/// <see cref="DefaultEndedCapacity"/> by default, so that a long-running process does not grow with every request it ever
/// ran. <see cref="IAgentRuntime.GetStatusAsync"/> returns <see langword="null"/> for an ended request that was dropped;
/// register a durable journal (for example <c>UseSqlCipherStore</c>) to keep them for a retention period instead.
/// </summary>
public sealed class InMemoryRequestJournal : IRequestJournal
{
    /// <summary>How many ended requests the journal keeps unless told otherwise.</summary>
    public const int DefaultEndedCapacity = 10_000;

    private readonly Dictionary<(string Tenant, string Id), RequestJournalEntry> entries = [];

    // Ended entries in the order they ended; a key may be stale (the entry was dropped, or is no longer ended), which is
    // checked when it reaches the front.
    private readonly Queue<(string Tenant, string Id)> ended = new();
    private readonly int endedCapacity;
    private readonly Lock gate = new();
    private int endedCount;

    /// <summary>Creates a journal that keeps the most recent <see cref="DefaultEndedCapacity"/> ended requests.</summary>
    public InMemoryRequestJournal()
        : this(DefaultEndedCapacity)
    {
    }

    /// <summary>Creates a journal that keeps the most recent <paramref name="endedCapacity"/> ended requests.</summary>
    /// <param name="endedCapacity">How many finished or interrupted requests to keep (running and paused ones are always kept).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="endedCapacity"/> is negative.</exception>
    public InMemoryRequestJournal(int endedCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(endedCapacity);
        this.endedCapacity = endedCapacity;
    }

    /// <inheritdoc />
    public ValueTask UpsertAsync(RequestJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = (entry.TenantId, entry.RequestId);
        lock (gate)
        {
            var wasEnded = entries.TryGetValue(key, out var previous) && HasEnded(previous);
            entries[key] = entry;
            if (HasEnded(entry) && !wasEnded)
            {
                ended.Enqueue(key);
                endedCount++;
            }
            else if (wasEnded && !HasEnded(entry))
            {
                endedCount--;
            }

            while (endedCount > endedCapacity && ended.TryDequeue(out var oldest))
            {
                if (entries.TryGetValue(oldest, out var candidate) && HasEnded(candidate))
                {
                    entries.Remove(oldest);
                    endedCount--;
                }
            }
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

    private static bool HasEnded(RequestJournalEntry entry) => entry.State is RequestState.Finished or RequestState.Interrupted;
}
