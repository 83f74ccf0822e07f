using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Patterns;

/// <summary>A node of a parsed regular expression from the supported subset.</summary>
internal abstract record PatternNode
{
    /// <summary>Gets the fewest characters the node matches.</summary>
    public abstract long MinLength { get; }

    /// <summary>Gets the most characters the node matches, or <see langword="null"/> when unbounded.</summary>
    public abstract long? MaxLength { get; }
}

/// <summary>
/// One character. <see cref="Generated"/> is what the grammar produces: the characters every regular expression engine
/// involved (ECMAScript, and .NET's ECMAScript mode used by JsonSchema.Net) matches; <see cref="Matched"/> is what any of
/// them might match, needed to negate a class safely.
/// </summary>
internal sealed record PatternChars(CodePointSet Generated, CodePointSet Matched) : PatternNode
{
    /// <inheritdoc />
    public override long MinLength => 1;

    /// <inheritdoc />
    public override long? MaxLength => 1;
}

/// <summary>A sequence.</summary>
internal sealed record PatternSequence(IReadOnlyList<PatternNode> Items) : PatternNode
{
    /// <inheritdoc />
    public override long MinLength => Items.Sum(i => i.MinLength);

    /// <inheritdoc />
    public override long? MaxLength => Items.Any(i => i.MaxLength is null) ? null : Items.Sum(i => i.MaxLength!.Value);
}

/// <summary>An alternation.</summary>
internal sealed record PatternAlternation(IReadOnlyList<PatternNode> Items) : PatternNode
{
    /// <inheritdoc />
    public override long MinLength => Items.Min(i => i.MinLength);

    /// <inheritdoc />
    public override long? MaxLength => Items.Any(i => i.MaxLength is null) ? null : Items.Max(i => i.MaxLength!.Value);
}

/// <summary>A quantified node.</summary>
internal sealed record PatternRepeat(PatternNode Item, int Min, int? Max) : PatternNode
{
    /// <inheritdoc />
    public override long MinLength => Item.MinLength * Min;

    /// <inheritdoc />
    public override long? MaxLength => Max is { } max && Item.MaxLength is { } itemMax ? itemMax * max : (Item.MaxLength == 0 ? 0 : null);
}

/// <summary>
/// A top-level alternative of a pattern, with whether it is anchored at the start (<c>^</c>) and at the end (<c>$</c>).
/// JSON Schema patterns are not implicitly anchored: an unanchored side allows any characters there.
/// </summary>
internal sealed record PatternBranch(PatternNode Body, bool AnchoredStart, bool AnchoredEnd);
