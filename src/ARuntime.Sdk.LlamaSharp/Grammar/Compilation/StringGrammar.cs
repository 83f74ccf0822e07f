using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;
using ARuntime.Sdk.LlamaSharp.Grammar.Patterns;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// The contents of JSON strings (without the quotes) for <c>minLength</c>/<c>maxLength</c>, <c>pattern</c> and
/// <c>format</c>. Lengths count code points in the grammar; validators count text elements (grapheme clusters), which
/// are never more than code points, so <c>maxLength</c> holds by construction, and the first <c>minLength</c> characters
/// come from <see cref="JsonStringGrammar.GraphemeSafe"/> so that <c>minLength</c> holds too.
/// </summary>
internal sealed class StringGrammar(JsonStringGrammar characters, GbnfExpr anyCharacter, GbnfExpr graphemeSafeCharacter)
{
    /// <summary>Any string of <paramref name="minLength"/> to <paramref name="maxLength"/> characters.</summary>
    public GbnfExpr Lengths(int minLength, int? maxLength)
    {
        var safe = minLength >= 2 ? minLength : 0;
        return G.Seq(
            G.Rep(graphemeSafeCharacter, safe, safe),
            G.Rep(anyCharacter, minLength - safe, maxLength - safe));
    }

    /// <summary>Strings matching <paramref name="pattern"/> whose length is within the bounds.</summary>
    /// <exception cref="UnsupportedSchemaException">The pattern is outside the supported subset, or its lengths only
    /// partly fit the bounds in a way the grammar cannot express.</exception>
    public GbnfExpr Pattern(string pattern, string patternPointer, int minLength, int? maxLength)
    {
        IReadOnlyList<PatternBranch> branches;
        try
        {
            branches = PatternParser.Parse(pattern);
        }
        catch (FormatException error)
        {
            throw new UnsupportedSchemaException("pattern", patternPointer, error.Message);
        }

        var cause = new UnsatisfiableCause("pattern", patternPointer, "the pattern matches no string within the other constraints");

        // One repeated character class, anchored at both ends: merge the bounds exactly.
        if (branches is [{ AnchoredStart: true, AnchoredEnd: true } only] && SingleClass(only.Body) is var (chars, patternMin, patternMax))
        {
            var lo = Math.Max(patternMin, minLength);
            long? hi = (patternMax, maxLength) switch
            {
                (null, null) => null,
                (null, { } m) => m,
                ({ } p, null) => p,
                ({ } p, { } m) => Math.Min(p, m),
            };
            if (hi < lo)
            {
                return new GbnfNever(cause);
            }

            var safe = minLength >= 2 ? minLength : 0;
            return G.Seq(
                G.Rep(characters.Encode(chars.Intersect(characters.GraphemeSafeCharacters), cause), safe, safe),
                G.Rep(characters.Encode(chars, cause), (int)lo - safe, (int?)hi - safe));
        }

        var anchored = branches.All(b => b.AnchoredStart && b.AnchoredEnd);
        var fewest = branches.Min(b => b.Body.MinLength);
        long? most = anchored && branches.All(b => b.Body.MaxLength is not null) ? branches.Max(b => b.Body.MaxLength!.Value) : null;
        if ((maxLength is { } max && fewest > max) || (most is { } longest && longest < minLength))
        {
            return new GbnfNever(cause);
        }

        var maxFits = maxLength is null || most <= maxLength;
        var minFits = minLength == 0
            || (minLength == 1 && fewest >= 1)
            || (fewest >= minLength && anchored && branches.All(b => AllGeneratedSafe(b.Body, characters.GraphemeSafeCharacters)));
        if (!maxFits || !minFits)
        {
            throw new UnsupportedSchemaException(
                "pattern",
                patternPointer,
                "a pattern combined with minLength/maxLength is only supported when the pattern is one repeated character class, " +
                "or when every string the pattern matches already satisfies the length bounds (anchored with ^...$, and for " +
                "minLength above 1 made of plain characters)");
        }

        var anyStar = G.Rep(anyCharacter, 0, null);
        return G.Alt(branches.Select(branch =>
        {
            var body = Convert(characters, branch.Body, cause);
            if (!branch.AnchoredStart && !branch.AnchoredEnd && body is GbnfEmpty)
            {
                return anyStar;
            }

            return G.Seq(branch.AnchoredStart ? G.Empty : anyStar, body, branch.AnchoredEnd ? G.Empty : anyStar);
        }));
    }

    private static GbnfExpr Convert(JsonStringGrammar characters, PatternNode node, UnsatisfiableCause cause) => node switch
    {
        PatternChars chars => characters.Encode(chars.Generated, cause),
        PatternSequence sequence => G.Seq(sequence.Items.Select(i => Convert(characters, i, cause))),
        PatternAlternation alternation => G.Alt(alternation.Items.Select(i => Convert(characters, i, cause))),
        PatternRepeat repeat => G.Rep(Convert(characters, repeat.Item, cause), repeat.Min, repeat.Max),
        _ => throw new InvalidOperationException("Unknown pattern node."),
    };

    private static (CodePointSet Chars, int Min, int? Max)? SingleClass(PatternNode node) => node switch
    {
        PatternChars chars => (chars.Generated, 1, 1),
        PatternRepeat { Item: PatternChars chars } repeat => (chars.Generated, repeat.Min, repeat.Max),
        _ => null,
    };

    private static bool AllGeneratedSafe(PatternNode node, CodePointSet safe) => node switch
    {
        PatternChars chars => chars.Generated.Except(safe).IsEmpty,
        PatternSequence sequence => sequence.Items.All(i => AllGeneratedSafe(i, safe)),
        PatternAlternation alternation => alternation.Items.All(i => AllGeneratedSafe(i, safe)),
        PatternRepeat repeat => AllGeneratedSafe(repeat.Item, safe),
        _ => false,
    };
}
