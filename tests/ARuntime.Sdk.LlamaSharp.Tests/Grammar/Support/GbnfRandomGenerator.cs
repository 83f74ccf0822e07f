using System.Text;
using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

/// <summary>
/// Generates random strings from a parsed grammar: random alternatives and characters while the output is short, then
/// the alternatives of least derivation height, so every walk ends. Characters are drawn from the classes' ranges with
/// a bias towards awkward ones (quotes, backslashes, non-ASCII, astral).
/// </summary>
internal sealed class GbnfRandomGenerator
{
    private static readonly int[] Interesting =
    [
        'a', 'Z', '0', '9', ' ', '"', '\\', '/', '-', '.', ':', '_', 'é', 'ß', 'Ж', 'Ω', 'ह', 'ก', '中', '한', '€', '\u00A0',
        '\u0301', '\u200D', 0x1F600, 0x1F1E6, '\n', '\t', 0x7F, 0x85, 0xFFFD,
    ];

    private readonly GbnfParsedGrammar grammar;
    private readonly Random random;
    private readonly int[] height;
    private readonly int softLimit;

    public GbnfRandomGenerator(GbnfParsedGrammar grammar, int seed, int softLimit = 200)
    {
        this.grammar = grammar;
        random = new Random(seed);
        this.softLimit = softLimit;
        height = ComputeHeights(grammar);
    }

    public string Generate()
    {
        var output = new StringBuilder();
        Expand(grammar.RootId, output, 0);
        return output.ToString();
    }

    private void Expand(int rule, StringBuilder output, int depth)
    {
        var alternatives = grammar.Rules[rule];
        int choice;
        if (output.Length > softLimit || depth > 200)
        {
            choice = Enumerable.Range(0, alternatives.Count).MinBy(a => AltHeight(alternatives[a]));
        }
        else
        {
            var usable = Enumerable.Range(0, alternatives.Count).Where(a => AltHeight(alternatives[a]) < int.MaxValue).ToList();
            choice = usable[random.Next(usable.Count)];
        }

        foreach (var element in alternatives[choice])
        {
            if (element.Kind == GbnfElementKind.Rule)
            {
                Expand(element.RuleId, output, depth + 1);
            }
            else
            {
                output.Append(char.ConvertFromUtf32(PickChar(element)));
            }
        }
    }

    private int PickChar(GbnfElement element)
    {
        static bool Valid(long c) => c is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF);
        if (random.Next(3) == 0)
        {
            var candidates = Interesting.Where(c => element.Matches(c)).ToList();
            if (candidates.Count > 0)
            {
                return candidates[random.Next(candidates.Count)];
            }
        }

        if (!element.Negated)
        {
            var ranges = element.Ranges!.Where(r => Valid(Math.Max(r.Lo, 1)) || Valid(Math.Min(r.Hi, 0x10FFFF))).ToList();
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var (lo, hi) = ranges[random.Next(ranges.Count)];
                lo = Math.Max(lo, 1);
                hi = Math.Min(hi, 0x10FFFF);
                var value = lo + (long)(random.NextDouble() * (hi - lo + 1));
                value = Math.Min(value, hi);
                if (Valid(value))
                {
                    return (int)value;
                }
            }

            throw new InvalidOperationException("No valid character in a positive class.");
        }

        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var value = random.Next(4) switch
            {
                0 => random.Next(0x20, 0x7F),
                1 => random.Next(0xA0, 0x800),
                2 => random.Next(0x800, 0xD800),
                _ => random.Next(0x10000, 0x20000),
            };
            if (element.Matches(value))
            {
                return value;
            }
        }

        throw new InvalidOperationException("No character found for a negated class.");
    }

    private int AltHeight(List<GbnfElement> alternative)
    {
        var max = 0;
        foreach (var element in alternative)
        {
            if (element.Kind == GbnfElementKind.Rule)
            {
                if (height[element.RuleId] == int.MaxValue)
                {
                    return int.MaxValue;
                }

                max = Math.Max(max, height[element.RuleId]);
            }
        }

        return max + 1;
    }

    private static int[] ComputeHeights(GbnfParsedGrammar grammar)
    {
        var heights = Enumerable.Repeat(int.MaxValue, grammar.Rules.Count).ToArray();
        bool changed;
        do
        {
            changed = false;
            for (var rule = 0; rule < grammar.Rules.Count; rule++)
            {
                foreach (var alternative in grammar.Rules[rule])
                {
                    var max = 0;
                    var finite = true;
                    foreach (var element in alternative.Where(e => e.Kind == GbnfElementKind.Rule))
                    {
                        if (heights[element.RuleId] == int.MaxValue)
                        {
                            finite = false;
                            break;
                        }

                        max = Math.Max(max, heights[element.RuleId]);
                    }

                    if (finite && max + 1 < heights[rule])
                    {
                        heights[rule] = max + 1;
                        changed = true;
                    }
                }
            }
        }
        while (changed);
        return heights;
    }
}
