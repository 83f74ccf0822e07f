using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Memory;

/// <summary>An item in agent memory, with provenance, freshness, classification and retention.</summary>
public sealed record MemoryItem
{
    /// <summary>Gets the item id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the scope the item belongs to.</summary>
    public required MemoryScope Scope { get; init; }

    /// <summary>Gets the content.</summary>
    public required string Content { get; init; }

    /// <summary>Gets where the content came from.</summary>
    public required MemoryProvenance Provenance { get; init; }

    /// <summary>Gets when the item was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the item was last corrected or consolidated.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets when the item expires, if it does.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets the content's classification.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Gets the retention class.</summary>
    public RetentionClass Retention { get; init; } = RetentionClass.Standard;

    /// <summary>Gets the revision number: 1 when created, incremented by every correction.</summary>
    public int Revision { get; init; } = 1;

    /// <summary>Gets the search tags.</summary>
    public IReadOnlyList<string> Tags { get; init => field = value ?? []; } = [];
}
