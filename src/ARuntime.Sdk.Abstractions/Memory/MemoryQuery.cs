namespace ARuntime.Sdk.Memory;

/// <summary>A keyword search over one memory scope.</summary>
public sealed record MemoryQuery
{
    /// <summary>Gets the scope to search (required: memory is never searched across tenants).</summary>
    public required MemoryScope Scope { get; init; }

    /// <summary>Gets the keywords.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the maximum number of items to return.</summary>
    public int Limit { get; init; } = 10;

    /// <summary>Gets the oldest acceptable <see cref="MemoryItem.UpdatedAt"/> (the freshness rule).</summary>
    public DateTimeOffset? UpdatedSince { get; init; }
}
