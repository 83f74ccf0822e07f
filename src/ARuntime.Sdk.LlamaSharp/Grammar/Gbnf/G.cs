namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>
/// Factories for <see cref="GbnfExpr"/> that simplify as they build: empty parts vanish from sequences, unsatisfiable
/// parts make a sequence unsatisfiable and drop out of choices, equal alternatives are merged, single-character
/// alternatives become one character class, and adjacent literals are joined.
/// </summary>
internal static class G
{
    /// <summary>Gets the empty string.</summary>
    public static GbnfExpr Empty => GbnfEmpty.Instance;

    /// <summary>A literal; the empty string gives <see cref="Empty"/>.</summary>
    public static GbnfExpr Lit(string text) => text.Length == 0 ? Empty : new GbnfLiteral(text);

    /// <summary>One character of <paramref name="set"/>; an empty set is unsatisfiable with <paramref name="cause"/>.</summary>
    public static GbnfExpr Class(CodePointSet set, UnsatisfiableCause cause)
    {
        if (set.IsEmpty)
        {
            return new GbnfNever(cause);
        }

        if (set.Ranges.Count == 1 && set.Ranges[0].Lo == set.Ranges[0].Hi)
        {
            return new GbnfLiteral(char.ConvertFromUtf32(set.Ranges[0].Lo));
        }

        return new GbnfCharClass(set);
    }

    /// <summary>One character of a non-empty set given as ranges.</summary>
    public static GbnfExpr Class(params (int Lo, int Hi)[] ranges) =>
        Class(CodePointSet.FromRanges(ranges), new UnsatisfiableCause(string.Empty, string.Empty, "empty character class"));

    /// <summary>A rule reference.</summary>
    public static GbnfExpr Ref(string name) => new GbnfRuleRef(name);

    /// <summary>An unsatisfiable expression.</summary>
    public static GbnfExpr Never(string keyword, string pointer, string message) =>
        new GbnfNever(new UnsatisfiableCause(keyword, pointer, message));

    /// <summary>A sequence.</summary>
    public static GbnfExpr Seq(params GbnfExpr[] items) => Seq((IEnumerable<GbnfExpr>)items);

    /// <summary>A sequence.</summary>
    public static GbnfExpr Seq(IEnumerable<GbnfExpr> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new List<GbnfExpr>();
        foreach (var item in items)
        {
            switch (item)
            {
                case GbnfNever:
                    return item;
                case GbnfEmpty:
                    break;
                case GbnfSequence sequence:
                    foreach (var inner in sequence.Items)
                    {
                        AppendToSequence(result, inner);
                    }

                    break;
                default:
                    AppendToSequence(result, item);
                    break;
            }
        }

        return result.Count switch
        {
            0 => Empty,
            1 => result[0],
            _ => new GbnfSequence(result),
        };
    }

    /// <summary>A choice. Unsatisfiable alternatives drop out; if all do, the result is unsatisfiable with the first cause.</summary>
    public static GbnfExpr Alt(params GbnfExpr[] items) => Alt((IEnumerable<GbnfExpr>)items);

    /// <summary>A choice. Unsatisfiable alternatives drop out; if all do, the result is unsatisfiable with the first cause.</summary>
    public static GbnfExpr Alt(IEnumerable<GbnfExpr> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        GbnfNever? firstNever = null;
        var hasEmpty = false;
        var alternatives = new List<GbnfExpr>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var chars = CodePointSet.Empty;

        void Add(GbnfExpr item)
        {
            switch (item)
            {
                case GbnfNever never:
                    firstNever ??= never;
                    break;
                case GbnfEmpty:
                    hasEmpty = true;
                    break;
                case GbnfChoice choice:
                    foreach (var inner in choice.Items)
                    {
                        Add(inner);
                    }

                    break;
                case GbnfRepeat { Min: 0, Max: 1 } optional:
                    hasEmpty = true;
                    Add(optional.Item);
                    break;
                case GbnfCharClass charClass:
                    chars = chars.Union(charClass.Set);
                    break;
                case GbnfLiteral literal when IsSingleCodePoint(literal.Text):
                    chars = chars.Union(CodePointSet.OfChars(literal.Text));
                    break;
                default:
                    if (seen.Add(item.Key))
                    {
                        alternatives.Add(item);
                    }

                    break;
            }
        }

        foreach (var item in items)
        {
            Add(item);
        }

        if (!chars.IsEmpty)
        {
            alternatives.Insert(0, Class(chars, new UnsatisfiableCause(string.Empty, string.Empty, "empty character class")));
        }

        GbnfExpr body = alternatives.Count switch
        {
            0 => hasEmpty ? Empty : firstNever ?? (GbnfExpr)Never(string.Empty, string.Empty, "no alternative"),
            1 => alternatives[0],
            _ => new GbnfChoice(alternatives),
        };

        return hasEmpty && alternatives.Count > 0 ? Opt(body) : body;
    }

    /// <summary>An optional expression.</summary>
    public static GbnfExpr Opt(GbnfExpr item) => Rep(item, 0, 1);

    /// <summary>A repetition of <paramref name="item"/> between <paramref name="min"/> and <paramref name="max"/> times.</summary>
    public static GbnfExpr Rep(GbnfExpr item, int min, int? max)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentOutOfRangeException.ThrowIfNegative(min);
        if (max is { } m)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(m, min, nameof(max));
        }

        switch (item)
        {
            case GbnfNever:
                return min == 0 ? Empty : item;
            case GbnfEmpty:
                return Empty;
        }

        if (max == 0)
        {
            return Empty;
        }

        if (min == 1 && max == 1)
        {
            return item;
        }

        // x?? and (x?){0,n}: an optional inside a repetition adds only ambiguity.
        if (item is GbnfRepeat { Min: 0, Max: 1 } inner && max == 1)
        {
            return inner;
        }

        return new GbnfRepeat(item, min, max);
    }

    private static bool IsSingleCodePoint(string text) =>
        text.Length == 1 || (text.Length == 2 && char.IsSurrogatePair(text[0], text[1]));

    private static void AppendToSequence(List<GbnfExpr> result, GbnfExpr item)
    {
        if (item is GbnfLiteral literal && result.Count > 0 && result[^1] is GbnfLiteral previous)
        {
            result[^1] = new GbnfLiteral(previous.Text + literal.Text);
            return;
        }

        result.Add(item);
    }
}
