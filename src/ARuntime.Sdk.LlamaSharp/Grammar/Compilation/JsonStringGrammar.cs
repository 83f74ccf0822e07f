using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// The characters of JSON strings, as grammar. A grammar describes the encoded JSON text while schemas constrain the
/// decoded string, so every decoded character set is translated into the JSON encodings the grammar allows: raw
/// characters, the short escapes, and <c>\uXXXX</c> escapes for everything that is not written raw.
/// </summary>
/// <remarks>
/// llama.cpp decodes sampled bytes leniently: with byte-fallback tokens a model can spell a character as an overlong
/// (invalid) UTF-8 sequence that the grammar still accepts. That needs the lead byte <c>E0</c> or <c>F0</c>, which the
/// grammar only lets through where some alternative allows a raw character in U+0800-U+0FFF or beyond the BMP — and
/// because llama.cpp keeps every alternative alive while a character is incomplete, a second alternative can then
/// complete it as an overlong form of another character. With
/// <see cref="JsonSchemaGrammarOptions.ByteFallbackSafeStrings"/> no grammar position ever allows those raw characters:
/// classes leave them out and literals escape them (<see cref="EscapeLiteral"/>), so they only appear as <c>\u</c>
/// escapes (astral characters as escaped surrogate pairs), and every generated text is valid UTF-8.
/// </remarks>
internal sealed class JsonStringGrammar
{
    /// <summary>The short escapes, by decoded character.</summary>
    private static readonly (int Character, string Escape)[] ShortEscapes =
    [
        ('"', "\\\""), ('\\', "\\\\"), ('\b', "\\b"), ('\f', "\\f"), ('\n', "\\n"), ('\r', "\\r"), ('\t', "\\t"),
    ];

    private static readonly CodePointSet ShortEscaped = CodePointSet.OfChars("\"\\\b\f\n\r\t");

    private static readonly CodePointSet Controls = CodePointSet.FromRanges((0, 0x1F), (0x7F, 0x9F));

    private static readonly CodePointSet OverlongProne = CodePointSet.FromRanges((0x800, 0xFFF), (0x10000, CodePointSet.MaxCodePoint));

    private static readonly UnsatisfiableCause NoCharacter = new(string.Empty, string.Empty, "no character");

    /// <summary>
    /// Characters that each form a grapheme cluster of their own next to one another, so a string that starts with n of
    /// them has at least n text elements — how JSON Schema validators (JsonSchema.Net among them) count
    /// <c>minLength</c>. Combining marks, joiners, Hangul jamo, regional indicators, prepended concatenation marks and
    /// the carriage return (which joins a following line feed) are left out. A unit test checks every character against
    /// .NET's own text segmentation.
    /// </summary>
    public static readonly CodePointSet GraphemeSafe = CodePointSet.FromRanges(
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

    private readonly bool byteFallbackSafe;

    /// <summary>Initializes a new instance of the <see cref="JsonStringGrammar"/> class.</summary>
    /// <param name="byteFallbackSafe">Whether to keep overlong-prone characters out of raw text.</param>
    public JsonStringGrammar(bool byteFallbackSafe)
    {
        this.byteFallbackSafe = byteFallbackSafe;
        var raw = CodePointSet.AllScalars.Except(Controls).Except(CodePointSet.OfChars("\"\\"));
        RawCharacters = byteFallbackSafe ? raw.Except(OverlongProne) : raw;
        GraphemeSafeCharacters = byteFallbackSafe ? GraphemeSafe.Except(OverlongProne) : GraphemeSafe;
    }

    /// <summary>Gets the characters written raw (unescaped).</summary>
    public CodePointSet RawCharacters { get; }

    /// <summary>Gets the grapheme-safe characters (see <see cref="GraphemeSafe"/>) this grammar can write.</summary>
    public CodePointSet GraphemeSafeCharacters { get; }

    private static GbnfExpr Hex => G.Class(('0', '9'), ('a', 'f'), ('A', 'F'));

    /// <summary>
    /// Returns JSON text to use as a grammar literal: in byte-fallback-safe mode, characters in U+0800-U+0FFF and beyond
    /// the BMP are replaced by <c>\u</c> escapes (they can only occur inside JSON strings, where escapes mean the same).
    /// </summary>
    public string EscapeLiteral(string jsonText)
    {
        ArgumentNullException.ThrowIfNull(jsonText);
        if (!byteFallbackSafe)
        {
            return jsonText;
        }

        var builder = new System.Text.StringBuilder(jsonText.Length);
        Span<char> units = stackalloc char[2];
        foreach (var rune in jsonText.EnumerateRunes())
        {
            if (OverlongProne.Contains(rune.Value))
            {
                var count = rune.EncodeToUtf16(units);
                for (var i = 0; i < count; i++)
                {
                    builder.Append("\\u").Append(((int)units[i]).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// One JSON-encoded character of any string: a raw character, a short escape (or <c>\/</c>), a <c>\u</c> escape of
    /// a non-surrogate, or an escaped surrogate pair (lone surrogates would not decode to valid text).
    /// </summary>
    public GbnfExpr AnyCharacter()
    {
        var nonSurrogate = G.Alt(
            G.Seq(G.Class(('0', '9'), ('a', 'c'), ('A', 'C'), ('e', 'f'), ('E', 'F')), G.Rep(Hex, 3, 3)),
            G.Seq(G.Class(('d', 'd'), ('D', 'D')), G.Class(('0', '7')), G.Rep(Hex, 2, 2)));
        var surrogatePair = G.Seq(
            G.Class(('d', 'd'), ('D', 'D')), G.Class(('8', '9'), ('a', 'b'), ('A', 'B')), G.Rep(Hex, 2, 2),
            G.Lit("\\u"),
            G.Class(('d', 'd'), ('D', 'D')), G.Class(('c', 'f'), ('C', 'F')), G.Rep(Hex, 2, 2));
        return G.Alt(
            G.Class(RawCharacters, NoCharacter),
            G.Seq(G.Lit("\\"), G.Alt(G.Class(CodePointSet.OfChars("\"\\/bfnrt"), NoCharacter), G.Seq(G.Lit("u"), G.Alt(nonSurrogate, surrogatePair)))));
    }

    /// <summary>One JSON-encoded character from <paramref name="decoded"/> (Basic Multilingual Plane only).</summary>
    public GbnfExpr Encode(CodePointSet decoded, UnsatisfiableCause cause)
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

        // Everything else in the BMP that is not raw: \uXXXX, digit by digit.
        var escaped = decoded.Intersect(CodePointSet.FromRanges((0, 0xD7FF), (0xE000, 0xFFFF))).Except(RawCharacters).Except(ShortEscaped);
        if (!escaped.IsEmpty)
        {
            alternatives.Add(G.Seq(G.Lit("\\u"), HexDigits(escaped, 0, 4)));
        }

        var result = G.Alt(alternatives);
        return result is GbnfNever ? new GbnfNever(cause) : result;
    }

    /// <summary>
    /// Hexadecimal digits (either case) spelling exactly the values of <paramref name="values"/>, which all lie in
    /// [<paramref name="prefix"/> * 16^<paramref name="digits"/>, next prefix).
    /// </summary>
    private static GbnfExpr HexDigits(CodePointSet values, int prefix, int digits)
    {
        if (digits == 0)
        {
            return G.Empty;
        }

        var span = 1 << (4 * (digits - 1));
        var full = new List<int>();
        var alternatives = new List<GbnfExpr>();
        for (var nibble = 0; nibble < 16; nibble++)
        {
            var start = ((prefix * 16) + nibble) * span;
            var block = values.Intersect(CodePointSet.Range(start, start + span - 1));
            if (block.IsEmpty)
            {
                continue;
            }

            if (block.Count == span)
            {
                full.Add(nibble);
            }
            else
            {
                alternatives.Add(G.Seq(G.Class(NibbleSet([nibble]), NoCharacter), HexDigits(block, (prefix * 16) + nibble, digits - 1)));
            }
        }

        if (full.Count > 0)
        {
            alternatives.Insert(0, G.Seq(G.Class(NibbleSet(full), NoCharacter), G.Rep(Hex, digits - 1, digits - 1)));
        }

        return G.Alt(alternatives);
    }

    private static CodePointSet NibbleSet(IEnumerable<int> nibbles)
    {
        var ranges = new List<(int, int)>();
        foreach (var nibble in nibbles)
        {
            if (nibble < 10)
            {
                ranges.Add(('0' + nibble, '0' + nibble));
            }
            else
            {
                ranges.Add(('a' + nibble - 10, 'a' + nibble - 10));
                ranges.Add(('A' + nibble - 10, 'A' + nibble - 10));
            }
        }

        return CodePointSet.FromRanges([.. ranges]);
    }
}
