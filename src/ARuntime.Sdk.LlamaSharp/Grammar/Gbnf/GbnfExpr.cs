using System.Globalization;
using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>
/// An expression of the grammar the compiler builds before it writes GBNF text. Expressions are immutable; build them
/// with <see cref="G"/>, whose factories simplify as they go (empty and unsatisfiable parts fold away), so a tree never
/// holds an <see cref="GbnfNever"/> below the top.
/// </summary>
internal abstract class GbnfExpr
{
    private string? key;

    /// <summary>Gets a canonical text of the expression: equal keys mean equal languages (used to share rules).</summary>
    public string Key => key ??= BuildKey();

    /// <summary>Gets a value indicating whether the expression matches the empty string (rule references count as non-empty;
    /// the optimizer and the writer resolve them).</summary>
    public abstract bool IsNullableIgnoringRules { get; }

    /// <inheritdoc />
    public override string ToString() => Key;

    /// <summary>Builds <see cref="Key"/>.</summary>
    protected abstract string BuildKey();
}

/// <summary>A fixed string (of decoded code points).</summary>
internal sealed class GbnfLiteral(string text) : GbnfExpr
{
    /// <summary>Gets the text; never empty.</summary>
    public string Text { get; } = text;

    /// <inheritdoc />
    public override bool IsNullableIgnoringRules => false;

    /// <inheritdoc />
    protected override string BuildKey()
    {
        var builder = new StringBuilder("\"");
        foreach (var rune in Text.EnumerateRunes())
        {
            builder.Append(CultureInfo.InvariantCulture, $"{rune.Value:X},");
        }

        return builder.Append('"').ToString();
    }
}

/// <summary>One code point out of a non-empty set.</summary>
internal sealed class GbnfCharClass(CodePointSet set) : GbnfExpr
{
    /// <summary>Gets the set; never empty.</summary>
    public CodePointSet Set { get; } = set;

    /// <inheritdoc />
    public override bool IsNullableIgnoringRules => false;

    /// <inheritdoc />
    protected override string BuildKey() => "[" + Set + "]";
}

/// <summary>A reference to a named rule.</summary>
internal sealed class GbnfRuleRef(string name) : GbnfExpr
{
    /// <summary>Gets the rule name.</summary>
    public string Name { get; } = name;

    /// <inheritdoc />
    public override bool IsNullableIgnoringRules => false;

    /// <inheritdoc />
    protected override string BuildKey() => "<" + Name + ">";
}

/// <summary>A sequence of at least two expressions.</summary>
internal sealed class GbnfSequence(IReadOnlyList<GbnfExpr> items) : GbnfExpr
{
    /// <summary>Gets the items.</summary>
    public IReadOnlyList<GbnfExpr> Items { get; } = items;

    /// <inheritdoc />
    public override bool IsNullableIgnoringRules => Items.All(i => i.IsNullableIgnoringRules);

    /// <inheritdoc />
    protected override string BuildKey() => "(" + string.Join(" ", Items.Select(i => i.Key)) + ")";
}

/// <summary>A choice between at least two expressions, none of them empty (an empty choice is written as a repetition
/// <c>{0,1}</c>).</summary>
internal sealed class GbnfChoice(IReadOnlyList<GbnfExpr> items) : GbnfExpr
{
    /// <summary>Gets the alternatives.</summary>
    public IReadOnlyList<GbnfExpr> Items { get; } = items;

    /// <inheritdoc />
    public override bool IsNullableIgnoringRules => Items.Any(i => i.IsNullableIgnoringRules);

    /// <inheritdoc />
    protected override string BuildKey() => "(" + string.Join(" | ", Items.Select(i => i.Key)) + ")";
}

/// <summary>An expression repeated between <see cref="Min"/> and <see cref="Max"/> times.</summary>
internal sealed class GbnfRepeat(GbnfExpr item, int min, int? max) : GbnfExpr
{
    /// <summary>Gets the repeated expression.</summary>
    public GbnfExpr Item { get; } = item;

    /// <summary>Gets the minimum count.</summary>
    public int Min { get; } = min;

    /// <summary>Gets the maximum count, or <see langword="null"/> for no maximum.</summary>
    public int? Max { get; } = max;

    /// <inheritdoc />
    public override bool IsNullableIgnoringRules => Min == 0 || Item.IsNullableIgnoringRules;

    /// <inheritdoc />
    protected override string BuildKey() =>
        string.Create(CultureInfo.InvariantCulture, $"{Item.Key}{{{Min},{(Max is { } max ? max.ToString(CultureInfo.InvariantCulture) : string.Empty)}}}");
}

/// <summary>The empty string.</summary>
internal sealed class GbnfEmpty : GbnfExpr
{
    private GbnfEmpty()
    {
    }

    /// <summary>Gets the single instance.</summary>
    public static GbnfEmpty Instance { get; } = new();

    /// <inheritdoc />
    public override bool IsNullableIgnoringRules => true;

    /// <inheritdoc />
    protected override string BuildKey() => "ε";
}

/// <summary>Nothing at all: the schema part it stands for cannot be satisfied. Never written as GBNF.</summary>
internal sealed class GbnfNever(UnsatisfiableCause cause) : GbnfExpr
{
    /// <summary>Gets why nothing matches.</summary>
    public UnsatisfiableCause Cause { get; } = cause;

    /// <inheritdoc />
    public override bool IsNullableIgnoringRules => false;

    /// <inheritdoc />
    protected override string BuildKey() => "∅";
}

/// <summary>Why a part of a schema cannot be satisfied by any JSON value.</summary>
/// <param name="Keyword">The keyword responsible.</param>
/// <param name="JsonPointer">The JSON Pointer of the keyword in the schema document.</param>
/// <param name="Message">What makes it unsatisfiable.</param>
internal sealed record UnsatisfiableCause(string Keyword, string JsonPointer, string Message);
