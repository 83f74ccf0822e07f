namespace ARuntime.Sdk.Memory;

/// <summary>
/// Agent memory: retain, correct (keeping history), consolidate, search, export and delete items, always within one
/// tenant's scope. Deletion is real and leaves an evidence record that holds no deleted content.
/// </summary>
public interface IMemoryStore
{
    /// <summary>Retains a new item.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored item.</returns>
    ValueTask<MemoryItem> RetainAsync(MemoryWrite item, CancellationToken cancellationToken = default);

    /// <summary>Corrects an item's content; the previous revision is kept in the item's history.</summary>
    /// <param name="scope">The item's scope.</param>
    /// <param name="itemId">The item id.</param>
    /// <param name="content">The corrected content.</param>
    /// <param name="reason">Why (recorded).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The corrected item, or <see langword="null"/> when the scope has no such item.</returns>
    ValueTask<MemoryItem?> CorrectAsync(MemoryScope scope, string itemId, string content, string reason, CancellationToken cancellationToken = default);

    /// <summary>Replaces several items of one scope by one consolidated item.</summary>
    /// <param name="scope">The items' scope.</param>
    /// <param name="itemIds">The items to consolidate.</param>
    /// <param name="consolidated">The consolidated item.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new item.</returns>
    ValueTask<MemoryItem> ConsolidateAsync(MemoryScope scope, IReadOnlyList<string> itemIds, MemoryWrite consolidated, CancellationToken cancellationToken = default);

    /// <summary>Searches one scope by keywords.</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The matching, unexpired items, best first.</returns>
    IAsyncEnumerable<MemoryItem> SearchAsync(MemoryQuery query, CancellationToken cancellationToken = default);

    /// <summary>Exports every unexpired item of one scope.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>The items.</returns>
    IAsyncEnumerable<MemoryItem> ExportAsync(MemoryScope scope, CancellationToken cancellationToken = default);

    /// <summary>Deletes an item and its history.</summary>
    /// <param name="scope">The item's scope.</param>
    /// <param name="itemId">The item id.</param>
    /// <param name="reason">Why (recorded).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the scope had the item.</returns>
    ValueTask<bool> DeleteAsync(MemoryScope scope, string itemId, string reason, CancellationToken cancellationToken = default);
}
