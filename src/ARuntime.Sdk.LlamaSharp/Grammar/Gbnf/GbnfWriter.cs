using System.Globalization;
using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>
/// Writes a rule set as GBNF text that llama.cpp's parser accepts. Two native limits shape the output: a quantifier is
/// only ever applied to a single literal, character class or rule reference (llama.cpp multiplies the rules a quantified
/// group creates and rejects the grammar past 2,000), and no bound exceeds <see cref="MaxBound"/> (llama.cpp rejects
/// larger minimums and silently drops larger maximums, which would loosen the grammar). Larger counts are written as
/// blocks of repetitions, exactly.
/// </summary>
internal sealed class GbnfWriter
{
    /// <summary>The largest repetition bound written as a single quantifier.</summary>
    public const int MaxBound = 1000;

    /// <summary>Code points above Unicode that llama.cpp's lenient UTF-8 decoder can still produce; negated classes exclude them.</summary>
    private const string BeyondUnicode = "\\U00110000-\\U7FFFFFFF";

    private readonly GbnfRuleSet rules;
    private readonly Queue<string> pending = new();
    private readonly HashSet<string> written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> extracted = new(StringComparer.Ordinal);
    private string currentRule = string.Empty;

    private GbnfWriter(GbnfRuleSet rules) => this.rules = rules;

    /// <summary>Writes the rules reachable from <paramref name="root"/>, root first.</summary>
    public static string Write(GbnfRuleSet rules, string root)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return new GbnfWriter(rules).WriteAll(root);
    }

    private string WriteAll(string root)
    {
        var text = new StringBuilder();
        pending.Enqueue(root);
        foreach (var name in rules.Names)
        {
            pending.Enqueue(name);
        }

        while (pending.Count > 0)
        {
            var name = pending.Dequeue();
            if (!written.Add(name))
            {
                continue;
            }

            currentRule = name;
            var body = WriteAlternatives(rules[name]);
            text.Append(name).Append(" ::= ").Append(body).Append('\n');
        }

        return text.ToString();
    }

    private string WriteAlternatives(GbnfExpr expr) => expr is GbnfChoice choice
        ? string.Join(" | ", choice.Items.Select(WriteSequence))
        : WriteSequence(expr);

    private string WriteSequence(GbnfExpr expr) => expr is GbnfSequence sequence
        ? string.Join(" ", sequence.Items.Select(WritePrimary))
        : WritePrimary(expr);

    private string WritePrimary(GbnfExpr expr) => expr switch
    {
        GbnfLiteral literal => Quote(literal.Text),
        GbnfCharClass charClass => WriteClass(charClass.Set),
        GbnfRuleRef reference => Reference(reference.Name),
        GbnfEmpty => "\"\"",
        GbnfChoice or GbnfSequence => "( " + WriteAlternatives(expr) + " )",
        GbnfRepeat repeat => WriteRepeat(repeat),
        GbnfNever never => throw new InvalidOperationException("An unsatisfiable expression reached the writer: " + never.Cause.Message),
        _ => throw new InvalidOperationException("Unknown expression " + expr.GetType().Name),
    };

    private string Reference(string name)
    {
        if (!written.Contains(name))
        {
            pending.Enqueue(name);
        }

        return name;
    }

    private string WriteRepeat(GbnfRepeat repeat)
    {
        var item = AsAtom(repeat.Item);
        if (repeat.Max is null && IsNullable(repeat.Item, []))
        {
            // llama.cpp turns x* into r ::= x r | ..., which is left-recursive when x can be empty.
            throw new InvalidOperationException("Unbounded repetition of an expression that can match the empty string.");
        }

        if (repeat.Min <= MaxBound && (repeat.Max ?? 0) <= MaxBound)
        {
            return WritePrimary(item) + Quantifier(repeat.Min, repeat.Max);
        }

        var expanded = G.Seq(Exactly(item, repeat.Min), repeat.Max is { } max ? UpTo(item, max - repeat.Min) : G.Rep(item, 0, null));
        return WriteSequence(expanded);
    }

    /// <summary><paramref name="atom"/> exactly <paramref name="count"/> times, with every bound at most <see cref="MaxBound"/>.</summary>
    private GbnfExpr Exactly(GbnfExpr atom, int count)
    {
        if (count <= MaxBound)
        {
            return G.Rep(atom, count, count);
        }

        return G.Seq(Exactly(Block(atom), count / MaxBound), G.Rep(atom, count % MaxBound, count % MaxBound));
    }

    /// <summary><paramref name="atom"/> between 0 and <paramref name="count"/> times, unambiguously, in blocks.</summary>
    private GbnfExpr UpTo(GbnfExpr atom, int count)
    {
        if (count <= MaxBound)
        {
            return G.Rep(atom, 0, count);
        }

        // n = a*B + b with b < B: either fewer than q full blocks and any remainder, or exactly q blocks and at most r more.
        var block = Block(atom);
        var q = count / MaxBound;
        var r = count % MaxBound;
        var choice = G.Alt(
            G.Seq(UpTo(block, q - 1), G.Rep(atom, 0, MaxBound - 1)),
            G.Seq(Exactly(block, q), G.Rep(atom, 0, r)));
        return Extract(choice, "upto");
    }

    private GbnfRuleRef Block(GbnfExpr atom) => Extract(G.Rep(atom, MaxBound, MaxBound), "block");

    private GbnfExpr AsAtom(GbnfExpr expr) =>
        expr is GbnfLiteral or GbnfCharClass or GbnfRuleRef ? expr : Extract(expr, "item");

    private GbnfRuleRef Extract(GbnfExpr body, string suffix)
    {
        if (body is GbnfRuleRef existingRef)
        {
            return existingRef;
        }

        if (!extracted.TryGetValue(body.Key, out var name))
        {
            name = rules.Reserve(currentRule + "-" + suffix);
            rules.Define(name, body);
            extracted[body.Key] = name;
        }

        Reference(name);
        return (GbnfRuleRef)G.Ref(name);
    }

    private bool IsNullable(GbnfExpr expr, HashSet<string> visiting) => expr switch
    {
        GbnfEmpty => true,
        GbnfRuleRef reference => visiting.Add(reference.Name) && IsNullable(rules[reference.Name], visiting),
        GbnfSequence sequence => sequence.Items.All(i => IsNullable(i, visiting)),
        GbnfChoice choice => choice.Items.Any(i => IsNullable(i, visiting)),
        GbnfRepeat repeat => repeat.Min == 0 || IsNullable(repeat.Item, visiting),
        _ => false,
    };

    private static string Quantifier(int min, int? max) => (min, max) switch
    {
        (0, 1) => "?",
        (0, null) => "*",
        (1, null) => "+",
        (_, null) => string.Create(CultureInfo.InvariantCulture, $"{{{min},}}"),
        (_, { } m) when m == min => string.Create(CultureInfo.InvariantCulture, $"{{{min}}}"),
        (_, { } m) => string.Create(CultureInfo.InvariantCulture, $"{{{min},{m}}}"),
    };

    /// <summary>Writes a GBNF string literal; everything outside printable ASCII is escaped.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var rune in text.EnumerateRunes())
        {
            var value = rune.Value;
            switch (value)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case >= 0x20 and < 0x7F:
                    builder.Append((char)value);
                    break;
                default:
                    AppendEscaped(builder, value);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Writes a character class, negated when that is shorter.</summary>
    public static string WriteClass(CodePointSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var complement = CodePointSet.AllScalars.Except(set);
        var builder = new StringBuilder("[");
        if (complement.Ranges.Count + 2 < set.Ranges.Count)
        {
            // A negated class also matches surrogates and values beyond Unicode, which only invalid UTF-8 decodes to.
            builder.Append('^');
            AppendRanges(builder, complement.Union(CodePointSet.Range(0xD800, 0xDFFF)));
            builder.Append(BeyondUnicode);
        }
        else
        {
            AppendRanges(builder, set);
        }

        return builder.Append(']').ToString();
    }

    private static void AppendRanges(StringBuilder builder, CodePointSet set)
    {
        foreach (var (lo, hi) in set.Ranges)
        {
            AppendClassChar(builder, lo);
            if (hi == lo + 1)
            {
                AppendClassChar(builder, hi);
            }
            else if (hi != lo)
            {
                builder.Append('-');
                AppendClassChar(builder, hi);
            }
        }
    }

    private static void AppendClassChar(StringBuilder builder, int value)
    {
        if (value < 0x80 && char.IsAsciiLetterOrDigit((char)value))
        {
            builder.Append((char)value);
        }
        else
        {
            AppendEscaped(builder, value);
        }
    }

    private static void AppendEscaped(StringBuilder builder, int value)
    {
        if (value < 0x100)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\x{value:X2}");
        }
        else if (value < 0x10000)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\u{value:X4}");
        }
        else
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\U{value:X8}");
        }
    }
}
