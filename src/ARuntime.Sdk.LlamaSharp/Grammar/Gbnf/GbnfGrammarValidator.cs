using System.Globalization;
using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>
/// A managed well-formedness check of GBNF text, run before any grammar reaches llama.cpp (whose parser crashes the
/// process on some malformed input instead of reporting an error). It parses exactly the syntax llama.cpp parses, expands
/// groups and repetitions the way llama.cpp does, and rejects everything llama.cpp rejects plus everything that could
/// make sampling hang or dead-end:
/// <list type="bullet">
/// <item>syntax errors: bad escapes, unbalanced parentheses or quotes, a quantifier with nothing before it, a missing
/// <c>::=</c>, a rule that does not end at a newline;</item>
/// <item>undefined or twice-defined rules, a missing root rule, NUL characters or lone surrogates in the text;</item>
/// <item>repetition bounds llama.cpp rejects (above 2,000, or a quantified group whose rules times the count reach 2,000)
/// or silently drops (a maximum above 2,000 becomes unbounded);</item>
/// <item>token references (<c>&lt;...&gt;</c>), which depend on the vocabulary;</item>
/// <item>empty or impossible character classes and literals (NUL, surrogates, values beyond U+10FFFF);</item>
/// <item>left recursion (llama.cpp refuses it; with nullable rules taken into account properly);</item>
/// <item>rules that can never finish (no finite string), which would let generation run forever.</item>
/// </list>
/// </summary>
internal static class GbnfGrammarValidator
{
    /// <summary>llama.cpp's MAX_REPETITION_THRESHOLD.</summary>
    internal const int NativeRepetitionThreshold = 2000;

    /// <summary>The most rules (after expanding repetitions) a grammar may have.</summary>
    internal const int MaxExpandedRules = 500_000;

    /// <summary>Checks <paramref name="text"/>.</summary>
    /// <returns><see langword="null"/> when the grammar is well-formed; otherwise a description of the first problem.</returns>
    public static string? Validate(string text, string rootRule) => Parse(text, rootRule, out var problem) is null ? problem : null;

    /// <summary>
    /// Parses and checks <paramref name="text"/>, returning the rules expanded the way llama.cpp expands them (groups and
    /// repetitions become generated rules), or null with the first problem.
    /// </summary>
    public static GbnfParsedGrammar? Parse(string text, string rootRule, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(rootRule);
        try
        {
            var parser = new Parser(text);
            parser.ParseAll();
            var parsed = parser.CheckSemantics(rootRule);
            problem = null;
            return parsed;
        }
        catch (FormatException error)
        {
            problem = error.Message;
            return null;
        }
    }

    private sealed class Parser(string text)
    {
        private readonly Dictionary<string, int> symbolIds = new(StringComparer.Ordinal);
        private readonly List<List<List<GbnfElement>>?> rules = [];
        private readonly HashSet<int> explicitlyDefined = [];
        private int pos;

        public void ParseAll()
        {
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                throw Error("the grammar contains a NUL character");
            }

            for (var i = 0; i < text.Length; i++)
            {
                if (char.IsSurrogate(text[i]) && !(char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])))
                {
                    throw Error("the grammar contains a lone surrogate");
                }

                if (char.IsHighSurrogate(text[i]))
                {
                    i++;
                }
            }

            pos = SkipSpace(0, newlineOk: true);
            while (pos < text.Length)
            {
                ParseRule();
            }

            if (symbolIds.Count == 0)
            {
                throw Error("the grammar has no rules");
            }
        }

        public GbnfParsedGrammar CheckSemantics(string root)
        {
            foreach (var (name, id) in symbolIds)
            {
                if (id >= rules.Count || rules[id] is null)
                {
                    throw Error($"rule '{name}' is referenced but not defined", atEnd: true);
                }
            }

            if (!symbolIds.TryGetValue(root, out var rootId) || !explicitlyDefined.Contains(rootId))
            {
                throw Error($"the root rule '{root}' is not defined", atEnd: true);
            }

            var all = rules.Select(r => r!).ToList();
            var nullable = ComputeNullable(all);
            CheckLeftRecursion(all, nullable);
            CheckProductive(all, rootId);
            var names = new string[all.Count];
            foreach (var (name, id) in symbolIds)
            {
                names[id] = name;
            }

            return new GbnfParsedGrammar(all, names, rootId);
        }

        private void ParseRule()
        {
            var nameStart = pos;
            var nameEnd = ParseName(pos);
            var name = text[nameStart..nameEnd];
            var id = SymbolId(name);
            pos = SkipSpace(nameEnd, newlineOk: false);
            if (!At("::="))
            {
                throw Error("expecting '::=' after the rule name");
            }

            if (!explicitlyDefined.Add(id))
            {
                throw Error($"rule '{name}' is defined twice");
            }

            pos = SkipSpace(pos + 3, newlineOk: true);
            ParseAlternates(name, id, nested: false);
            if (pos < text.Length)
            {
                if (text[pos] == '\r')
                {
                    pos += pos + 1 < text.Length && text[pos + 1] == '\n' ? 2 : 1;
                }
                else if (text[pos] == '\n')
                {
                    pos++;
                }
                else
                {
                    throw Error("expecting a newline or the end of the grammar");
                }
            }

            pos = SkipSpace(pos, newlineOk: true);
        }

        private void ParseAlternates(string ruleName, int ruleId, bool nested)
        {
            var alternatives = new List<List<GbnfElement>> { ParseSequence(ruleName, nested) };
            while (pos < text.Length && text[pos] == '|')
            {
                pos = SkipSpace(pos + 1, newlineOk: true);
                alternatives.Add(ParseSequence(ruleName, nested));
            }

            SetRule(ruleId, alternatives);
        }

        private List<GbnfElement> ParseSequence(string ruleName, bool nested)
        {
            var sequence = new List<GbnfElement>();
            var lastSymbolStart = -1;
            long previousRules = 1;
            while (pos < text.Length)
            {
                var c = text[pos];
                if (c == '"')
                {
                    pos++;
                    lastSymbolStart = sequence.Count;
                    previousRules = 1;
                    var any = false;
                    while (true)
                    {
                        if (pos >= text.Length)
                        {
                            throw Error("unterminated string literal");
                        }

                        if (text[pos] == '"')
                        {
                            break;
                        }

                        var value = ParseChar();
                        if (!IsProducible(value))
                        {
                            throw Error(string.Create(CultureInfo.InvariantCulture, $"the literal contains U+{value:X4}, which no model output can contain"));
                        }

                        sequence.Add(CharElement([(value, value)], negated: false));
                        any = true;
                    }

                    if (!any)
                    {
                        // An empty literal adds nothing; a quantifier after it would have nothing to repeat.
                        lastSymbolStart = sequence.Count;
                    }

                    pos = SkipSpace(pos + 1, nested);
                }
                else if (c == '[')
                {
                    pos++;
                    var negated = false;
                    if (pos < text.Length && text[pos] == '^')
                    {
                        negated = true;
                        pos++;
                    }

                    var ranges = new List<(long Lo, long Hi)>();
                    while (true)
                    {
                        if (pos >= text.Length)
                        {
                            throw Error("unterminated character class");
                        }

                        if (text[pos] == ']')
                        {
                            break;
                        }

                        var lo = ParseChar();
                        var hi = lo;
                        if (pos + 1 < text.Length && text[pos] == '-' && text[pos + 1] != ']')
                        {
                            pos++;
                            hi = ParseChar();
                        }
                        else if (pos + 1 >= text.Length && pos < text.Length && text[pos] == '-')
                        {
                            throw Error("unterminated character class");
                        }

                        if (hi < lo)
                        {
                            throw Error("a character range ends before it starts");
                        }

                        ranges.Add((lo, hi));
                    }

                    if (ranges.Count == 0)
                    {
                        throw Error("an empty character class");
                    }

                    if (!ClassCanMatch(ranges, negated))
                    {
                        throw Error("a character class that no valid character can match");
                    }

                    lastSymbolStart = sequence.Count;
                    previousRules = 1;
                    sequence.Add(CharElement(ranges, negated));
                    pos = SkipSpace(pos + 1, nested);
                }
                else if (c is '<' or '!')
                {
                    throw Error("token references (<...>) are not allowed: they depend on the model's vocabulary");
                }
                else if (IsWordChar(c))
                {
                    var end = ParseName(pos);
                    var id = SymbolId(text[pos..end]);
                    pos = SkipSpace(end, nested);
                    lastSymbolStart = sequence.Count;
                    previousRules = 1;
                    sequence.Add(new GbnfElement(GbnfElementKind.Rule, id));
                }
                else if (c == '(')
                {
                    pos = SkipSpace(pos + 1, newlineOk: true);
                    var symbolsBefore = symbolIds.Count;
                    var groupId = GenerateSymbol(ruleName);
                    ParseAlternates(ruleName, groupId, nested: true);
                    previousRules = Math.Max(1, symbolIds.Count - symbolsBefore);
                    lastSymbolStart = sequence.Count;
                    sequence.Add(new GbnfElement(GbnfElementKind.Rule, groupId));
                    if (pos >= text.Length || text[pos] != ')')
                    {
                        throw Error("expecting ')'");
                    }

                    pos = SkipSpace(pos + 1, nested);
                }
                else if (c == '.')
                {
                    lastSymbolStart = sequence.Count;
                    previousRules = 1;
                    sequence.Add(CharElement([(0, uint.MaxValue)], negated: false));
                    pos = SkipSpace(pos + 1, nested);
                }
                else if (c is '*' or '+' or '?')
                {
                    pos = SkipSpace(pos + 1, nested);
                    var (min, max) = c switch { '*' => (0L, (long?)null), '+' => (1L, null), _ => (0L, 1L) };
                    previousRules = Repeat(sequence, ref lastSymbolStart, previousRules, min, max, ruleName);
                }
                else if (c == '{')
                {
                    pos = SkipSpace(pos + 1, nested);
                    var min = ParseInt();
                    pos = SkipSpace(pos, nested);
                    long? max;
                    if (pos < text.Length && text[pos] == '}')
                    {
                        max = min;
                        pos = SkipSpace(pos + 1, nested);
                    }
                    else if (pos < text.Length && text[pos] == ',')
                    {
                        pos = SkipSpace(pos + 1, nested);
                        max = null;
                        if (pos < text.Length && char.IsAsciiDigit(text[pos]))
                        {
                            max = ParseInt();
                            pos = SkipSpace(pos, nested);
                        }

                        if (pos >= text.Length || text[pos] != '}')
                        {
                            throw Error("expecting '}'");
                        }

                        pos = SkipSpace(pos + 1, nested);
                    }
                    else
                    {
                        throw Error("expecting ',' or '}' in a repetition");
                    }

                    if (min > NativeRepetitionThreshold)
                    {
                        throw Error("a repetition minimum above 2000 (llama.cpp rejects it)");
                    }

                    if (max > NativeRepetitionThreshold)
                    {
                        throw Error("a repetition maximum above 2000 (llama.cpp would silently make it unbounded)");
                    }

                    if (max < min)
                    {
                        throw Error("a repetition maximum below its minimum");
                    }

                    previousRules = Repeat(sequence, ref lastSymbolStart, previousRules, min, max, ruleName);
                }
                else
                {
                    break;
                }
            }

            return sequence;
        }

        private long Repeat(List<GbnfElement> sequence, ref int lastSymbolStart, long previousRules, long min, long? max, string ruleName)
        {
            if (lastSymbolStart < 0 || lastSymbolStart >= sequence.Count)
            {
                throw Error("a quantifier with nothing before it");
            }

            long total = max is { } m && m > 0 ? m : Math.Max(1, min);
            if (previousRules * total >= NativeRepetitionThreshold)
            {
                throw Error("a repetition of a group whose rules times the count reach 2000 (llama.cpp rejects it)");
            }

            var item = sequence.GetRange(lastSymbolStart, sequence.Count - lastSymbolStart);
            sequence.RemoveRange(lastSymbolStart, sequence.Count - lastSymbolStart);
            for (var i = 0; i < min; i++)
            {
                sequence.AddRange(item);
            }

            // The optional part as llama.cpp writes it: S'(k) ::= S S'(k-1) | (empty), or S' ::= S S' | for no maximum.
            var optional = max is null ? 1 : max.Value - min;
            var previousId = -1;
            for (var i = 0; i < optional; i++)
            {
                var id = GenerateSymbol(ruleName);
                var first = new List<GbnfElement>(item);
                if (max is null)
                {
                    first.Add(new GbnfElement(GbnfElementKind.Rule, id));
                }
                else if (i > 0)
                {
                    first.Add(new GbnfElement(GbnfElementKind.Rule, previousId));
                }

                SetRule(id, [first, []]);
                previousId = id;
            }

            if (optional > 0)
            {
                sequence.Add(new GbnfElement(GbnfElementKind.Rule, previousId));
            }

            lastSymbolStart = sequence.Count > 0 ? lastSymbolStart : -1;
            if (rules.Count > MaxExpandedRules)
            {
                throw Error("the grammar expands to too many rules");
            }

            return previousRules * total;
        }

        private static GbnfElement CharElement(List<(long Lo, long Hi)> ranges, bool negated) =>
            new(GbnfElementKind.Chars, -1, [.. ranges], negated);

        private static bool IsProducible(long value) => value is > 0 and <= CodePointSet.MaxCodePoint and not (>= 0xD800 and <= 0xDFFF);

        private static bool ClassCanMatch(List<(long Lo, long Hi)> ranges, bool negated)
        {
            if (!negated)
            {
                return ranges.Any(r => OverlapsScalars(r.Lo, r.Hi));
            }

            // Some scalar value outside every listed range must remain.
            var sorted = ranges.OrderBy(r => r.Lo).ToList();
            long next = 1;
            foreach (var (lo, hi) in sorted)
            {
                if (lo > next && OverlapsScalars(next, lo - 1))
                {
                    return true;
                }

                next = Math.Max(next, hi + 1);
            }

            return next <= CodePointSet.MaxCodePoint && OverlapsScalars(next, CodePointSet.MaxCodePoint);
        }

        private static bool OverlapsScalars(long lo, long hi)
        {
            lo = Math.Max(lo, 1);
            hi = Math.Min(hi, CodePointSet.MaxCodePoint);
            if (lo > hi)
            {
                return false;
            }

            // Entirely inside the surrogate block is the only other way to miss every scalar.
            return !(lo >= 0xD800 && hi <= 0xDFFF);
        }

        private long ParseChar()
        {
            if (text[pos] == '\\')
            {
                if (pos + 1 >= text.Length)
                {
                    throw Error("unexpected end of the grammar after '\\'");
                }

                var escape = text[pos + 1];
                switch (escape)
                {
                    case 'x':
                        return ParseHex(pos + 2, 2);
                    case 'u':
                        return ParseHex(pos + 2, 4);
                    case 'U':
                        return ParseHex(pos + 2, 8);
                    case 't':
                        pos += 2;
                        return '\t';
                    case 'r':
                        pos += 2;
                        return '\r';
                    case 'n':
                        pos += 2;
                        return '\n';
                    // The llama.cpp bundled with LLamaSharp 0.30 has no '\-' escape (later versions do).
                    case '\\' or '"' or '[' or ']':
                        pos += 2;
                        return escape;
                    default:
                        throw Error($"unknown escape '\\{escape}'");
                }
            }

            var rune = Rune.GetRuneAt(text, pos);
            pos += rune.Utf16SequenceLength;
            return rune.Value;
        }

        private long ParseHex(int start, int digits)
        {
            if (start + digits > text.Length)
            {
                throw Error($"expecting {digits} hexadecimal digits");
            }

            long value = 0;
            for (var i = 0; i < digits; i++)
            {
                var c = text[start + i];
                if (!char.IsAsciiHexDigit(c))
                {
                    throw Error($"expecting {digits} hexadecimal digits");
                }

                value = (value << 4) + HexValue(c);
            }

            pos = start + digits;
            return value;
        }

        private static int HexValue(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => c - 'A' + 10,
        };

        private long ParseInt()
        {
            var start = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                pos++;
            }

            if (pos == start)
            {
                throw Error("expecting an integer");
            }

            if (pos - start > 9)
            {
                throw Error("a repetition count is too large");
            }

            return long.Parse(text.AsSpan(start, pos - start), CultureInfo.InvariantCulture);
        }

        private int ParseName(int start)
        {
            var end = start;
            while (end < text.Length && IsWordChar(text[end]))
            {
                end++;
            }

            if (end == start)
            {
                pos = start;
                throw Error("expecting a rule name");
            }

            return end;
        }

        private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

        private int SkipSpace(int start, bool newlineOk)
        {
            var p = start;
            while (p < text.Length)
            {
                var c = text[p];
                if (c == '#')
                {
                    while (p < text.Length && text[p] != '\r' && text[p] != '\n')
                    {
                        p++;
                    }
                }
                else if (c is ' ' or '\t' || (newlineOk && c is '\r' or '\n'))
                {
                    p++;
                }
                else
                {
                    break;
                }
            }

            return p;
        }

        private bool At(string token) => string.CompareOrdinal(text, pos, token, 0, token.Length) == 0;

        private int SymbolId(string name)
        {
            if (!symbolIds.TryGetValue(name, out var id))
            {
                id = symbolIds.Count;
                symbolIds.Add(name, id);
            }

            return id;
        }

        private int GenerateSymbol(string baseName)
        {
            var id = symbolIds.Count;
            symbolIds[baseName + "_" + id.ToString(CultureInfo.InvariantCulture)] = id;
            return id;
        }

        private void SetRule(int id, List<List<GbnfElement>> alternatives)
        {
            while (rules.Count <= id)
            {
                rules.Add(null);
            }

            rules[id] = alternatives;
        }

        private static bool[] ComputeNullable(List<List<List<GbnfElement>>> all)
        {
            var nullable = new bool[all.Count];
            bool changed;
            do
            {
                changed = false;
                for (var i = 0; i < all.Count; i++)
                {
                    if (!nullable[i] && all[i].Any(alt => alt.All(e => e.Kind == GbnfElementKind.Rule && nullable[e.RuleId])))
                    {
                        nullable[i] = true;
                        changed = true;
                    }
                }
            }
            while (changed);
            return nullable;
        }

        private void CheckLeftRecursion(List<List<List<GbnfElement>>> all, bool[] nullable)
        {
            // Edges to every rule that can start a rule's match; a cycle among them is left recursion.
            var edges = new List<int>[all.Count];
            for (var i = 0; i < all.Count; i++)
            {
                edges[i] = [];
                foreach (var alternative in all[i])
                {
                    foreach (var element in alternative)
                    {
                        if (element.Kind == GbnfElementKind.Chars)
                        {
                            break;
                        }

                        edges[i].Add(element.RuleId);
                        if (!nullable[element.RuleId])
                        {
                            break;
                        }
                    }
                }
            }

            var state = new byte[all.Count]; // 0 unvisited, 1 on stack, 2 done
            for (var start = 0; start < all.Count; start++)
            {
                if (state[start] != 0)
                {
                    continue;
                }

                var stack = new Stack<(int Node, int Edge)>();
                stack.Push((start, 0));
                state[start] = 1;
                while (stack.Count > 0)
                {
                    var (node, edge) = stack.Pop();
                    if (edge < edges[node].Count)
                    {
                        stack.Push((node, edge + 1));
                        var next = edges[node][edge];
                        if (state[next] == 1)
                        {
                            throw Error($"left recursion through rule '{NameOf(next)}' (llama.cpp rejects it)", atEnd: true);
                        }

                        if (state[next] == 0)
                        {
                            state[next] = 1;
                            stack.Push((next, 0));
                        }
                    }
                    else
                    {
                        state[node] = 2;
                    }
                }
            }
        }

        private void CheckProductive(List<List<List<GbnfElement>>> all, int rootId)
        {
            var productive = new bool[all.Count];
            bool changed;
            do
            {
                changed = false;
                for (var i = 0; i < all.Count; i++)
                {
                    if (!productive[i] && all[i].Any(alt => alt.All(e => e.Kind == GbnfElementKind.Chars || productive[e.RuleId])))
                    {
                        productive[i] = true;
                        changed = true;
                    }
                }
            }
            while (changed);

            var reachable = new bool[all.Count];
            var pending = new Stack<int>();
            pending.Push(rootId);
            reachable[rootId] = true;
            while (pending.Count > 0)
            {
                var id = pending.Pop();
                if (!productive[id])
                {
                    throw Error($"rule '{NameOf(id)}' can never finish (it matches no finite string)", atEnd: true);
                }

                foreach (var element in all[id].SelectMany(a => a))
                {
                    if (element.Kind == GbnfElementKind.Rule && !reachable[element.RuleId])
                    {
                        reachable[element.RuleId] = true;
                        pending.Push(element.RuleId);
                    }
                }
            }
        }

        private string NameOf(int id) => symbolIds.First(kv => kv.Value == id).Key;

        private FormatException Error(string message, bool atEnd = false)
        {
            if (atEnd)
            {
                return new FormatException(message + ".");
            }

            var line = 1;
            var column = 1;
            for (var i = 0; i < Math.Min(pos, text.Length); i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }

            return new FormatException(string.Create(CultureInfo.InvariantCulture, $"{message} (line {line}, column {column})."));
        }
    }
}
