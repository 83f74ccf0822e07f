using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Memory;

/// <summary>An item to retain in memory.</summary>
public sealed record MemoryWrite
{
    /// <summary>Gets the scope the item belongs to.</summary>
    public required MemoryScope Scope { get; init; }

    /// <summary>Gets the content.</summary>
    public required string Content { get; init; }

    /// <summary>Gets where the content came from.</summary>
    public required MemoryProvenance Provenance { get; init; }

    /// <summary>Gets the content's classification.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Gets the retention class.</summary>
    public RetentionClass Retention { get; init; } = RetentionClass.Standard;

    /// <summary>Gets when the item expires; <see langword="null"/> uses the store's period for the retention class.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets optional search tags.</summary>
    public IReadOnlyList<string> Tags { get; init => field = value ?? []; } = [];
}
