namespace ARuntime.Sdk;

/// <summary>A context item the answer was produced with, by provenance.</summary>
public sealed record Citation
{
    /// <summary>Gets the context source name.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the item's id within the source.</summary>
    public required string ItemId { get; init; }

    /// <summary>Gets the item's location (for example a URI or document path), if the source gives one.</summary>
    public string? Location { get; init; }
}
