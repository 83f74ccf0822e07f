namespace ARuntime.Sdk.Context;

/// <summary>The outcome of context assembly.</summary>
public sealed record AssembledContext
{
    /// <summary>Nothing requested, nothing assembled.</summary>
    public static AssembledContext Empty { get; } = new();

    /// <summary>Gets the selected items, in prompt order.</summary>
    public IReadOnlyList<ContextItem> Items { get; init; } = [];

    /// <summary>Gets the sources that yielded nothing usable, with the reason code for each.</summary>
    public IReadOnlyDictionary<string, string> Unavailable { get; init; } = EmptyUnavailable;

    /// <summary>Gets the required sources among <see cref="Unavailable"/> (the request cannot proceed without them).</summary>
    public IReadOnlyList<string> MissingRequired { get; init; } = [];

    /// <summary>Gets one report per source asked.</summary>
    public IReadOnlyList<ContextSourceReport> Reports { get; init; } = [];

    /// <summary>Gets the tokens the selected items take.</summary>
    public int Tokens { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyUnavailable = new Dictionary<string, string>(0);
}
