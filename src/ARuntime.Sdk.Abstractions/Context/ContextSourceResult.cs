namespace ARuntime.Sdk.Context;

/// <summary>What a context source returned.</summary>
public sealed record ContextSourceResult
{
    /// <summary>An empty result.</summary>
    public static ContextSourceResult Empty { get; } = new();

    /// <summary>Gets the items, most relevant first.</summary>
    public IReadOnlyList<ContextItem> Items { get; init => field = value ?? []; } = [];

    /// <summary>Gets the version of the index the items came from (recorded in the version set).</summary>
    public string? IndexVersion { get; init; }
}
