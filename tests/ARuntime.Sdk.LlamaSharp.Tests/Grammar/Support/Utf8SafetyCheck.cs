using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

/// <summary>
/// Checks the byte-fallback invariant: no element of a grammar allows a raw code point in U+0800-U+0FFF or beyond the
/// BMP (the only ones whose lead bytes let llama.cpp accept overlong UTF-8), nor a surrogate.
/// </summary>
internal static class Utf8SafetyCheck
{
    private static readonly (long Lo, long Hi)[] Forbidden = [(0x800, 0xFFF), (0xD800, 0xDFFF), (0x10000, 0x7FFFFFFF)];

    public static IEnumerable<string> Violations(GbnfParsedGrammar grammar)
    {
        for (var rule = 0; rule < grammar.Rules.Count; rule++)
        {
            foreach (var element in grammar.Rules[rule].SelectMany(a => a).Where(e => e.Kind == GbnfElementKind.Chars))
            {
                if (Allows(element))
                {
                    yield return $"rule {grammar.Names[rule]}: {string.Join(",", element.Ranges!.Select(r => $"{r.Lo:X}-{r.Hi:X}"))} negated={element.Negated}";
                }
            }
        }
    }

    private static bool Allows(GbnfElement element)
    {
        if (!element.Negated)
        {
            return element.Ranges!.Any(r => Forbidden.Any(f => r.Lo <= f.Hi && f.Lo <= r.Hi));
        }

        // A negated class allows a forbidden code point unless its exclusions cover every forbidden range.
        foreach (var (lo, hi) in Forbidden)
        {
            var next = lo;
            foreach (var (excludedLo, excludedHi) in element.Ranges!.OrderBy(r => r.Lo))
            {
                if (excludedLo > next)
                {
                    break;
                }

                next = Math.Max(next, excludedHi + 1);
            }

            if (next <= hi)
            {
                return true;
            }
        }

        return false;
    }
}
