namespace ARuntime.Sdk.SqlCipher.Memory;

/// <summary>A previous revision of a memory item, kept when the item was corrected.</summary>
public sealed record MemoryRevision
{
    /// <summary>Gets the revision number (1 is the content as first retained).</summary>
    public required int Revision { get; init; }

    /// <summary>Gets the content of that revision.</summary>
    public required string Content { get; init; }

    /// <summary>Gets why it was replaced.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets when it was replaced.</summary>
    public required DateTimeOffset ReplacedAt { get; init; }
}
