namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>The kind of a <see cref="GbnfElement"/>.</summary>
internal enum GbnfElementKind
{
    /// <summary>One character from a set (a literal character, a class, or <c>.</c>).</summary>
    Chars,

    /// <summary>A reference to a rule.</summary>
    Rule,
}

/// <summary>One element of an alternative of a parsed grammar.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="RuleId">The referenced rule, for <see cref="GbnfElementKind.Rule"/>.</param>
/// <param name="Ranges">The inclusive code point ranges, for <see cref="GbnfElementKind.Chars"/>.</param>
/// <param name="Negated">Whether the ranges are excluded rather than included.</param>
internal sealed record GbnfElement(GbnfElementKind Kind, int RuleId, IReadOnlyList<(long Lo, long Hi)>? Ranges = null, bool Negated = false)
{
    /// <summary>Returns whether a character element matches <paramref name="codePoint"/>.</summary>
    public bool Matches(long codePoint)
    {
        var inRanges = Ranges!.Any(r => r.Lo <= codePoint && codePoint <= r.Hi);
        return inRanges != Negated;
    }
}

/// <summary>
/// A grammar parsed by <see cref="GbnfGrammarValidator"/>, expanded the way llama.cpp expands it: every group and
/// repetition is a generated rule. Used to recognize and to generate strings in tests and diagnostics.
/// </summary>
/// <param name="Rules">The rules: alternatives of element sequences.</param>
/// <param name="Names">The rule names, by id.</param>
/// <param name="RootId">The start rule.</param>
internal sealed record GbnfParsedGrammar(IReadOnlyList<List<List<GbnfElement>>> Rules, IReadOnlyList<string> Names, int RootId);
