using System.Globalization;
using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Patterns;

/// <summary>
/// Parses the supported subset of ECMA-262 regular expressions (the dialect JSON Schema specifies for <c>pattern</c>):
/// literals, <c>.</c>, character classes with ranges and negation, the escapes <c>\d \D \w \W \s \S \t \n \v \f \r \0
/// \xHH \uHHHH \cX</c> and escaped punctuation, groups (capturing, <c>(?:...)</c> and named), alternation, the
/// quantifiers <c>? * + {n} {n,} {n,m}</c> (lazy forms too), and <c>^</c>/<c>$</c> at the start/end of a top-level
/// alternative. Everything else — backreferences, lookarounds, word boundaries, anchors inside the pattern, Unicode
/// property escapes, inline flags, characters outside the Basic Multilingual Plane — is rejected with a
/// <see cref="FormatException"/> naming the construct and its position, because its meaning differs between engines or
/// cannot be expressed as a grammar.
/// </summary>
internal sealed class PatternParser
{
    private const int MaxDepth = 64;
    private const int MaxQuantifier = 100_000;

    private static readonly CodePointSet Bmp = CodePointSet.FromRanges((0, 0xD7FF), (0xE000, 0xFFFF));
    private static readonly CodePointSet Digits = CodePointSet.Range('0', '9');
    private static readonly CodePointSet WordChars = CodePointSet.FromRanges(('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_'));

    // \s in .NET's ECMAScript mode is [ \f\n\r\t\v]; in ECMAScript it also covers Unicode spaces and the BOM.
    private static readonly CodePointSet SpaceNarrow = CodePointSet.FromRanges((0x09, 0x0D), (0x20, 0x20));
    private static readonly CodePointSet SpaceBroad = SpaceNarrow.Union(CodePointSet.FromRanges(
        (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)));

    // '.' excludes line terminators: ECMAScript all four, .NET only '\n'.
    private static readonly CodePointSet DotNarrow = Bmp.Except(CodePointSet.FromRanges((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)));
    private static readonly CodePointSet DotBroad = Bmp.Except(CodePointSet.Single(0x0A));

    private readonly string pattern;
    private int pos;
    private int depth;

    private PatternParser(string pattern) => this.pattern = pattern;

    /// <summary>Parses a pattern into its top-level alternatives.</summary>
    /// <exception cref="FormatException">The pattern is invalid or outside the supported subset.</exception>
    public static IReadOnlyList<PatternBranch> Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        foreach (var c in pattern)
        {
            if (char.IsSurrogate(c))
            {
                throw new FormatException("characters outside the Basic Multilingual Plane are not supported in patterns (engines disagree on them)");
            }
        }

        var parser = new PatternParser(pattern);
        var branches = new List<PatternBranch>();
        while (true)
        {
            var anchoredStart = false;
            if (parser.Peek('^'))
            {
                anchoredStart = true;
                parser.pos++;
            }

            var body = parser.ParseAlternative(topLevel: true, out var anchoredEnd);
            branches.Add(new PatternBranch(body, anchoredStart, anchoredEnd));
            if (parser.pos >= pattern.Length)
            {
                break;
            }

            if (pattern[parser.pos] == '|')
            {
                parser.pos++;
                continue;
            }

            throw parser.Error(pattern[parser.pos] == ')' ? "unbalanced ')'" : $"unexpected '{pattern[parser.pos]}'");
        }

        return branches;
    }

    private PatternNode ParseDisjunction()
    {
        var alternatives = new List<PatternNode> { ParseAlternative(topLevel: false, out _) };
        while (Peek('|'))
        {
            pos++;
            alternatives.Add(ParseAlternative(topLevel: false, out _));
        }

        return alternatives.Count == 1 ? alternatives[0] : new PatternAlternation(alternatives);
    }

    private PatternNode ParseAlternative(bool topLevel, out bool anchoredEnd)
    {
        anchoredEnd = false;
        var items = new List<PatternNode>();
        while (pos < pattern.Length && pattern[pos] is not '|' and not ')')
        {
            if (pattern[pos] == '$')
            {
                var atEnd = pos + 1 >= pattern.Length || pattern[pos + 1] == '|';
                if (!topLevel || !atEnd)
                {
                    throw Error("'$' is only supported at the end of a top-level alternative");
                }

                pos++;
                anchoredEnd = true;
                break;
            }

            if (pattern[pos] == '^')
            {
                throw Error("'^' is only supported at the start of a top-level alternative");
            }

            var atom = ParseAtom();
            items.Add(ParseQuantifier(atom));
        }

        return items.Count == 1 ? items[0] : new PatternSequence(items);
    }

    private PatternNode ParseQuantifier(PatternNode atom)
    {
        if (pos >= pattern.Length)
        {
            return atom;
        }

        int min;
        int? max;
        var start = pos;
        switch (pattern[pos])
        {
            case '*':
                (min, max) = (0, null);
                pos++;
                break;
            case '+':
                (min, max) = (1, null);
                pos++;
                break;
            case '?':
                (min, max) = (0, 1);
                pos++;
                break;
            case '{':
                (min, max) = ParseBraces();
                break;
            default:
                return atom;
        }

        if (Peek('?'))
        {
            pos++; // Lazy quantifiers match the same strings.
        }

        if (pos < pattern.Length && pattern[pos] is '*' or '+' or '?' or '{')
        {
            throw Error("a quantifier cannot follow another quantifier");
        }

        if (max is null && atom.MinLength == 0)
        {
            pos = start;
            throw Error("an unbounded quantifier on a part that can match the empty string is not supported");
        }

        return new PatternRepeat(atom, min, max);
    }

    private (int Min, int? Max) ParseBraces()
    {
        pos++;
        var min = ParseCount() ?? throw Error("'{' must start a quantifier {n}, {n,} or {n,m}; escape a literal brace as '\\{'");
        int? max = min;
        if (Peek(','))
        {
            pos++;
            max = ParseCount();
        }

        if (!Peek('}'))
        {
            throw Error("'{' must start a quantifier {n}, {n,} or {n,m}; escape a literal brace as '\\{'");
        }

        pos++;
        if (max < min)
        {
            throw Error("a quantifier's maximum is below its minimum");
        }

        return (min, max);
    }

    private int? ParseCount()
    {
        var start = pos;
        while (pos < pattern.Length && char.IsAsciiDigit(pattern[pos]))
        {
            pos++;
        }

        if (pos == start)
        {
            return null;
        }

        if (pos - start > 6 || int.Parse(pattern.AsSpan(start, pos - start), CultureInfo.InvariantCulture) > MaxQuantifier)
        {
            throw Error($"quantifier counts above {MaxQuantifier} are not supported");
        }

        return int.Parse(pattern.AsSpan(start, pos - start), CultureInfo.InvariantCulture);
    }

    private PatternNode ParseAtom()
    {
        var c = pattern[pos];
        switch (c)
        {
            case '(':
                return ParseGroup();
            case '[':
                return ParseClass();
            case '.':
                pos++;
                return new PatternChars(DotNarrow, DotBroad);
            case '\\':
                return ParseAtomEscape();
            case '*' or '+' or '?':
                throw Error($"'{c}' has nothing to repeat");
            case '{':
                throw Error("a literal '{' must be escaped as '\\{'");
            case '}' or ']':
                throw Error($"a literal '{c}' must be escaped as '\\{c}'");
            default:
                pos++;
                return Literal(c);
        }
    }

    private PatternNode ParseGroup()
    {
        pos++;
        if (Peek('?'))
        {
            if (At("?:"))
            {
                pos += 2;
            }
            else if (At("?=") || At("?!") || At("?<=") || At("?<!"))
            {
                throw Error("lookaround assertions are not supported");
            }
            else if (At("?<"))
            {
                var close = pattern.IndexOf('>', pos);
                if (close < 0)
                {
                    throw Error("an unterminated group name");
                }

                pos = close + 1;
            }
            else
            {
                throw Error("this group syntax is not supported (only (...), (?:...) and (?<name>...))");
            }
        }

        if (++depth > MaxDepth)
        {
            throw Error("groups are nested too deeply");
        }

        var body = ParseDisjunction();
        depth--;
        if (!Peek(')'))
        {
            throw Error("missing ')'");
        }

        pos++;
        return body;
    }

    private PatternChars ParseAtomEscape()
    {
        if (pos + 1 >= pattern.Length)
        {
            throw Error("the pattern ends with '\\'");
        }

        var c = pattern[pos + 1];
        switch (c)
        {
            case 'b' or 'B':
                throw Error("word-boundary assertions (\\b, \\B) are not supported");
            case >= '1' and <= '9':
                throw Error("backreferences are not supported");
            case 'k':
                throw Error("named backreferences are not supported");
            default:
                var (generated, matched) = ParseEscape(inClass: false);
                return new PatternChars(generated, matched);
        }
    }

    private (CodePointSet Generated, CodePointSet Matched) ParseEscape(bool inClass)
    {
        var c = pattern[pos + 1];
        pos += 2;
        switch (c)
        {
            case 'd':
                return (Digits, Digits);
            case 'D':
                return (Bmp.Except(Digits), Bmp.Except(Digits));
            case 'w':
                return (WordChars, WordChars);
            case 'W':
                return (Bmp.Except(WordChars), Bmp.Except(WordChars));
            case 's':
                return (SpaceNarrow, SpaceBroad);
            case 'S':
                return (Bmp.Except(SpaceBroad), Bmp.Except(SpaceNarrow));
            case 't':
                return Exactly('\t');
            case 'n':
                return Exactly('\n');
            case 'v':
                return Exactly('\v');
            case 'f':
                return Exactly('\f');
            case 'r':
                return Exactly('\r');
            case 'b' when inClass:
                return Exactly('\b');
            case '0':
                if (pos < pattern.Length && char.IsAsciiDigit(pattern[pos]))
                {
                    throw Error("octal escapes are not supported");
                }

                return Exactly('\0');
            case 'x':
                return Exactly(ParseHex(2));
            case 'u':
                if (Peek('{'))
                {
                    throw Error("\\u{...} escapes need the Unicode flag, which JSON Schema patterns do not have");
                }

                var value = ParseHex(4);
                if (value is >= 0xD800 and <= 0xDFFF)
                {
                    throw Error("surrogate escapes are not supported");
                }

                return Exactly(value);
            case 'c':
                if (pos < pattern.Length && char.IsAsciiLetter(pattern[pos]))
                {
                    return Exactly(pattern[pos++] % 32);
                }

                throw Error("\\c must be followed by a letter");
            case 'p' or 'P':
                throw Error("Unicode property escapes are not supported");
            default:
                if (char.IsAsciiLetterOrDigit(c) || c == '_')
                {
                    throw Error($"the escape '\\{c}' is not supported");
                }

                if (char.IsSurrogate(c))
                {
                    throw Error("characters outside the Basic Multilingual Plane are not supported");
                }

                // An escaped punctuation or other non-word character stands for itself.
                return Exactly(c);
        }
    }

    private PatternChars ParseClass()
    {
        pos++;
        var negated = false;
        if (Peek('^'))
        {
            negated = true;
            pos++;
        }

        if (Peek(']'))
        {
            throw Error("empty classes '[]' and '[^]' are not supported (engines disagree on them)");
        }

        var generated = CodePointSet.Empty;
        var matched = CodePointSet.Empty;
        while (true)
        {
            if (pos >= pattern.Length)
            {
                throw Error("missing ']'");
            }

            if (pattern[pos] == ']')
            {
                pos++;
                break;
            }

            var (itemGenerated, itemMatched, single) = ParseClassAtom();
            if (Peek('-') && pos + 1 < pattern.Length && pattern[pos + 1] != ']')
            {
                pos++;
                var (_, _, end) = ParseClassAtom();
                if (single is null || end is null)
                {
                    throw Error("a class range must be between two single characters");
                }

                if (end < single)
                {
                    throw Error("a class range is out of order");
                }

                itemGenerated = itemMatched = CodePointSet.Range(single.Value, end.Value);
            }

            generated = generated.Union(itemGenerated);
            matched = matched.Union(itemMatched);
        }

        return negated
            ? new PatternChars(Bmp.Except(matched), Bmp.Except(generated))
            : new PatternChars(generated, matched);
    }

    private (CodePointSet Generated, CodePointSet Matched, int? Single) ParseClassAtom()
    {
        var c = pattern[pos];
        if (c == '\\')
        {
            if (pos + 1 >= pattern.Length)
            {
                throw Error("the pattern ends with '\\'");
            }

            if (pattern[pos + 1] is >= '1' and <= '9' or 'k' or 'B')
            {
                throw Error($"'\\{pattern[pos + 1]}' is not supported in a class");
            }

            var (generated, matched) = ParseEscape(inClass: true);
            int? single = generated.Count == 1 && generated.Equals(matched) ? generated.Ranges[0].Lo : null;
            return (generated, matched, single);
        }

        if (c == '[')
        {
            throw Error("a literal '[' inside a class must be escaped as '\\['");
        }

        pos++;
        var set = CodePointSet.Single(c);
        return (set, set, c);
    }

    private int ParseHex(int digits)
    {
        if (pos + digits > pattern.Length)
        {
            throw Error($"expecting {digits} hexadecimal digits");
        }

        var text = pattern.AsSpan(pos, digits);
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw Error($"expecting {digits} hexadecimal digits");
            }
        }

        pos += digits;
        return int.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    private static (CodePointSet, CodePointSet) Exactly(int codePoint)
    {
        var set = CodePointSet.Single(codePoint);
        return (set, set);
    }

    private static PatternChars Literal(int codePoint)
    {
        var set = CodePointSet.Single(codePoint);
        return new PatternChars(set, set);
    }

    private bool Peek(char c) => pos < pattern.Length && pattern[pos] == c;

    private bool At(string text) => string.CompareOrdinal(pattern, pos, text, 0, text.Length) == 0;

    private FormatException Error(string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{message} (at position {pos} of the pattern)"));
}
