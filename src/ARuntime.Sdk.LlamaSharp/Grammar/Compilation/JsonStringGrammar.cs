using System.Globalization;
using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// The characters of JSON strings, as grammar. A grammar describes the encoded JSON text while schemas constrain the
/// decoded string, so every decoded character set is translated into the JSON encodings the grammar allows: raw
/// characters, the short escapes and <c>\uXXXX</c> for other control characters.
/// </summary>
internal static class JsonStringGrammar
{
    /// <summary>The short escapes, by decoded character.</summary>
    private static readonly Dictionary<int, string> ShortEscapes = new()
    {
        ['"'] = "\\\"",
        ['\\'] = "\\\\",
        ['\b'] = "\\b",
        ['\f'] = "\\f",
        ['\n'] = "\\n",
        ['\r'] = "\\r",
        ['\t'] = "\\t",
    };

    /// <summary>
    /// Gets the characters written raw: every Unicode scalar except the quote, the backslash and control characters
    /// (C0, DEL and C1; JSON allows DEL and C1 raw, but they are never useful and only invite garbage).
    /// </summary>
    public static CodePointSet RawCharacters { get; } =
        CodePointSet.AllScalars.Except(CodePointSet.FromRanges((0, 0x1F), ('"', '"'), ('\\', '\\'), (0x7F, 0x9F)));

    /// <summary>
    /// Gets characters that each form a grapheme cluster of their own next to one another, so a string that starts with
    /// n of them has at least n text elements — how JSON Schema validators (JsonSchema.Net among them) count
    /// <c>minLength</c>. Combining marks, joiners, Hangul jamo, regional indicators, prepended concatenation marks and
    /// the carriage return (which joins a following line feed) are left out. A unit test checks every character
    /// against .NET's own segmentation.
    /// </summary>
    public static CodePointSet GraphemeSafeCharacters { get; } = CodePointSet.FromRanges(
        ('\t', '\t'), ('\n', '\n'), ('\b', '\b'), ('\f', '\f'),
        (0x20, 0x7E),
        (0xA0, 0xAC), (0xAE, 0x2FF),
        (0x370, 0x377), (0x37A, 0x37F), (0x384, 0x38A), (0x38C, 0x38C), (0x38E, 0x3A1), (0x3A3, 0x482),
        (0x48A, 0x52F),
        (0x2010, 0x2027), (0x2030, 0x205E),
        (0x20A0, 0x20BF),
        (0x2100, 0x218B), (0x2190, 0x23FF), (0x2460, 0x27BF),
        (0x3000, 0x3029), (0x3030, 0x303F), (0x3041, 0x3096), (0x30A0, 0x30FF),
        (0x4E00, 0x9FFF), (0xAC00, 0xD7A3),
        (0xFF01, 0xFF5E),
        (0x1F600, 0x1F64F));

    /// <summary>Gets the hexadecimal digits of a <c>\u</c> escape that does not encode a surrogate.</summary>
    public static GbnfExpr NonSurrogateHex4 { get; } = G.Alt(
        G.Seq(G.Class(('0', '9'), ('a', 'c'), ('A', 'C'), ('e', 'f'), ('E', 'F')), G.Rep(Hex, 3, 3)),
        G.Seq(G.Class(('d', 'd'), ('D', 'D')), G.Class(('0', '7')), G.Rep(Hex, 2, 2)));

    private static GbnfExpr Hex => G.Class(('0', '9'), ('a', 'f'), ('A', 'F'));

    /// <summary>
    /// One JSON-encoded character of any string: a raw character, a short escape or a <c>\u</c> escape of a
    /// non-surrogate (a lone surrogate would not decode to valid text).
    /// </summary>
    public static GbnfExpr AnyCharacter() => G.Alt(
        G.Class(RawCharacters, Unsatisfiable()),
        G.Seq(G.Lit("\\"), G.Alt(G.Class(CodePointSet.OfChars("\"\\/bfnrt"), Unsatisfiable()), G.Seq(G.Lit("u"), NonSurrogateHex4))));

    /// <summary>One JSON-encoded character from <paramref name="decoded"/>, in a single encoding per character.</summary>
    public static GbnfExpr Encode(CodePointSet decoded, UnsatisfiableCause cause)
    {
        ArgumentNullException.ThrowIfNull(decoded);
        var alternatives = new List<GbnfExpr> { G.Class(decoded.Intersect(RawCharacters), cause) };
        foreach (var (character, escape) in ShortEscapes)
        {
            if (decoded.Contains(character))
            {
                alternatives.Add(G.Lit(escape));
            }
        }

        // Remaining control characters as \u00XX, grouped by their third hex digit.
        var controls = decoded.Intersect(CodePointSet.FromRanges((0, 0x1F), (0x7F, 0x9F)));
        foreach (var high in new[] { 0, 1, 7, 8, 9 })
        {
            var lows = new List<(int, int)>();
            for (var low = 0; low < 16; low++)
            {
                var value = (high * 16) + low;
                if (controls.Contains(value) && !ShortEscapes.ContainsKey(value))
                {
                    var digit = low.ToString("x", CultureInfo.InvariantCulture)[0];
                    lows.Add((digit, digit));
                }
            }

            if (lows.Count > 0)
            {
                alternatives.Add(G.Seq(
                    G.Lit("\\u00" + high.ToString(CultureInfo.InvariantCulture)),
                    G.Class(CodePointSet.FromRanges([.. lows]), cause)));
            }
        }

        return G.Alt(alternatives) is var result && result is GbnfNever ? new GbnfNever(cause) : result;
    }

    /// <summary>The JSON encoding of one decoded string as a literal (used for pattern literals).</summary>
    public static GbnfExpr EncodeLiteral(string decoded, UnsatisfiableCause cause)
    {
        ArgumentNullException.ThrowIfNull(decoded);
        return G.Seq(decoded.EnumerateRunes().Select(r => Encode(CodePointSet.Single(r.Value), cause)));
    }

    private static UnsatisfiableCause Unsatisfiable() => new(string.Empty, string.Empty, "no character");
}
