using System.Globalization;
using System.Numerics;
using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// Grammars for JSON numbers within exact bounds. Integer ranges become digit-range grammars (the classic construction:
/// split by digit count, then by leading digit); decimal bounds compare the integer part and then the fraction digit by
/// digit, so <c>"minimum": 0.25</c> admits <c>0.25</c> and <c>0.3</c> but not <c>0.2</c>. Output never uses exponent
/// notation, never writes <c>-0</c>, and has at most a configured number of integer and fraction digits (a bound with more
/// digits than that widens the limit so the bound itself stays reachable).
/// </summary>
internal sealed class NumberGrammar(int maxIntegerDigits, int maxFractionDigits)
{
    private static readonly UnsatisfiableCause EmptyRange = new(string.Empty, string.Empty, "empty range");

    private static GbnfExpr Digit => G.Class(('0', '9'));

    private static GbnfExpr NonZeroDigit => G.Class(('1', '9'));

    /// <summary>A JSON integer within the (optional) inclusive bounds.</summary>
    public GbnfExpr Integer(BigInteger? min, BigInteger? max)
    {
        if (min is { } lo && max is { } hi && lo > hi)
        {
            return new GbnfNever(EmptyRange);
        }

        var alternatives = new List<GbnfExpr>();

        // Negative values: "-" and a magnitude of at least 1.
        if (min is null || min.Value.Sign < 0)
        {
            var magnitudeMin = max is { } upper && upper.Sign < 0 ? -upper : BigInteger.One;
            BigInteger? magnitudeMax = min is { } lower ? -lower : null;
            alternatives.Add(G.Seq(G.Lit("-"), IntegerRange(magnitudeMin, magnitudeMax)));
        }

        if (max is null || max.Value.Sign >= 0)
        {
            alternatives.Add(IntegerRange(BigInteger.Max(min ?? BigInteger.Zero, BigInteger.Zero), max));
        }

        return G.Alt(alternatives);
    }

    /// <summary>A JSON number within the (optional) bounds; each bound is inclusive unless its flag says exclusive.</summary>
    public GbnfExpr Number(DecimalNumber? min, bool minExclusive, DecimalNumber? max, bool maxExclusive)
    {
        if (min is { } lo && max is { } hi && (hi.IsLessThan(lo) || (lo.CompareTo(hi) == 0 && (minExclusive || maxExclusive))))
        {
            return new GbnfNever(EmptyRange);
        }

        var alternatives = new List<GbnfExpr>();
        var zero = DecimalNumber.Zero;

        // Negative values, as a magnitude range: v >= min  <=>  |v| <= -min;  v <= max < 0  <=>  |v| >= -max.
        if (min is null || min.Value.Negative)
        {
            DecimalNumber magnitudeMin;
            bool magnitudeMinInclusive;
            if (max is { Negative: true } upper)
            {
                magnitudeMin = upper.Magnitude;
                magnitudeMinInclusive = !maxExclusive;
            }
            else
            {
                magnitudeMin = zero;
                magnitudeMinInclusive = false;
            }

            var magnitude = NonNegative(magnitudeMin, magnitudeMinInclusive, min?.Magnitude, !minExclusive);
            alternatives.Add(G.Seq(G.Lit("-"), magnitude));
        }

        // Zero and positive values.
        if (max is null || !max.Value.Negative && (!max.Value.IsZero || !maxExclusive))
        {
            var (lower, lowerInclusive) = min is { Negative: false } m ? (m, !minExclusive) : (zero, true);
            alternatives.Add(NonNegative(lower, lowerInclusive, max, !maxExclusive));
        }

        return G.Alt(alternatives);
    }

    /// <summary>Non-negative decimals between the bounds (<paramref name="max"/> null: no upper bound).</summary>
    private GbnfExpr NonNegative(DecimalNumber min, bool minInclusive, DecimalNumber? max, bool maxInclusive)
    {
        if (max is { } hi && (hi.IsLessThan(min) || (hi.CompareTo(min) == 0 && !(minInclusive && maxInclusive))))
        {
            return new GbnfNever(EmptyRange);
        }

        var fractionDigits = Math.Max(maxFractionDigits, Math.Max(min.Fraction.Length + 1, max?.Fraction.Length ?? 0));
        var point = G.Lit(".");
        var anyFraction = G.Seq(point, G.Rep(Digit, 1, fractionDigits));
        var alternatives = new List<GbnfExpr>();
        var lowInteger = min.IntegerPart;

        if (max is { } upper && upper.IntegerPart == lowInteger)
        {
            // One integer part: the fraction lies between the two bounds' fractions.
            var integerText = G.Lit(lowInteger.ToString(CultureInfo.InvariantCulture));
            var bareAllowed = min.Fraction.Length == 0 && minInclusive && (upper.Fraction.Length > 0 || maxInclusive);
            var fraction = upper.Fraction.Length == 0
                ? G.Never(string.Empty, string.Empty, "empty range")
                : G.Seq(point, Between(min.Fraction, minInclusive, upper.Fraction, maxInclusive, fractionDigits));
            alternatives.Add(G.Seq(integerText, G.Alt(bareAllowed ? G.Empty : G.Never(string.Empty, string.Empty, "empty"), fraction)));
            return G.Alt(alternatives);
        }

        // The lower bound's integer part, with a fraction at or above the lower bound's.
        var lowerBare = min.Fraction.Length == 0 && minInclusive;
        alternatives.Add(G.Seq(
            G.Lit(lowInteger.ToString(CultureInfo.InvariantCulture)),
            G.Alt(lowerBare ? G.Empty : G.Never(string.Empty, string.Empty, "empty"), G.Seq(point, AtLeast(min.Fraction, minInclusive, fractionDigits, allowEmpty: false)))));

        // Integer parts strictly between, with any fraction.
        var middleMax = max is { } top ? top.IntegerPart - 1 : (BigInteger?)null;
        if (middleMax is null || middleMax.Value >= lowInteger + 1)
        {
            alternatives.Add(G.Seq(IntegerRange(lowInteger + 1, middleMax), G.Opt(anyFraction)));
        }

        // The upper bound's integer part, with a fraction at or below the upper bound's.
        if (max is { } upperBound)
        {
            var upperBare = upperBound.Fraction.Length > 0 || maxInclusive;
            var upperFraction = upperBound.Fraction.Length == 0
                ? G.Never(string.Empty, string.Empty, "empty")
                : G.Seq(point, Between(string.Empty, true, upperBound.Fraction, maxInclusive, fractionDigits));
            alternatives.Add(G.Seq(
                G.Lit(upperBound.IntegerPart.ToString(CultureInfo.InvariantCulture)),
                G.Alt(upperBare ? G.Empty : G.Never(string.Empty, string.Empty, "empty"), upperFraction)));
        }

        return G.Alt(alternatives);
    }

    /// <summary>
    /// Non-empty fraction digit strings f (at most <paramref name="remaining"/> digits) with 0.f between 0.lo and 0.hi;
    /// <paramref name="hi"/> null means below 1 (no upper bound), and an empty string means 0.
    /// </summary>
    private static GbnfExpr Between(string lo, bool loInclusive, string? hi, bool hiInclusive, int remaining)
    {
        if (remaining <= 0 || hi is { Length: 0 })
        {
            // Only all-zero fractions would fit below an upper bound of 0; they are never needed.
            return G.Never(string.Empty, string.Empty, "empty");
        }

        if (lo.Length == 0 && !loInclusive && hi is null)
        {
            // Above zero: some digit is not 0. Ending on that digit keeps the grammar flat (trailing zeros add nothing).
            return G.Seq(G.Rep(Digit, 0, remaining - 1), NonZeroDigit);
        }

        var lowDigit = lo.Length > 0 ? lo[0] - '0' : 0;
        var lowRest = lo.Length > 0 ? lo[1..] : string.Empty;
        var highDigit = hi is null ? 10 : hi[0] - '0';
        var highRest = hi?[1..];
        var anyRest = G.Rep(Digit, 0, remaining - 1);
        var alternatives = new List<GbnfExpr>();

        if (lowDigit + 1 <= highDigit - 1)
        {
            alternatives.Add(G.Seq(G.Class(('0' + lowDigit + 1, '0' + highDigit - 1)), anyRest));
        }

        if (lowDigit < highDigit)
        {
            alternatives.Add(G.Seq(G.Lit(Digits(lowDigit)), AtLeast(lowRest, loInclusive, remaining - 1, allowEmpty: true)));
            if (highDigit <= 9)
            {
                alternatives.Add(G.Seq(G.Lit(Digits(highDigit)), AtMost(highRest!, hiInclusive, remaining - 1)));
            }
        }
        else
        {
            // Same leading digit: recurse; the empty rest means the value equals the common prefix.
            var emptyAllowed = lowRest.Length == 0 && loInclusive && (highRest is null || highRest.Length > 0 || hiInclusive);
            alternatives.Add(G.Seq(
                G.Lit(Digits(lowDigit)),
                G.Alt(emptyAllowed ? G.Empty : G.Never(string.Empty, string.Empty, "empty"), Between(lowRest, loInclusive, highRest, hiInclusive, remaining - 1))));
        }

        return G.Alt(alternatives);
    }

    /// <summary>Fraction rests r (at most <paramref name="remaining"/> digits) with 0.r at or above 0.lo.</summary>
    private static GbnfExpr AtLeast(string lo, bool inclusive, int remaining, bool allowEmpty)
    {
        if (lo.Length == 0 && inclusive)
        {
            return allowEmpty ? G.Rep(Digit, 0, remaining) : G.Rep(Digit, 1, Math.Max(1, remaining));
        }

        return Between(lo, inclusive, null, false, remaining);
    }

    /// <summary>Possibly empty fraction rests r with 0.r at or below 0.hi.</summary>
    private static GbnfExpr AtMost(string hi, bool inclusive, int remaining)
    {
        if (hi.Length == 0)
        {
            return inclusive ? G.Empty : G.Never(string.Empty, string.Empty, "empty");
        }

        return G.Alt(G.Empty, Between(string.Empty, true, hi, inclusive, remaining));
    }

    /// <summary>Canonical decimal integers in [<paramref name="min"/>, <paramref name="max"/>] (min >= 0; max null: no bound).</summary>
    public GbnfExpr IntegerRange(BigInteger min, BigInteger? max)
    {
        var minDigits = min.IsZero ? 1 : min.ToString(CultureInfo.InvariantCulture).Length;
        var upper = max ?? BigInteger.Pow(10, Math.Max(maxIntegerDigits, minDigits)) - 1;
        if (min > upper)
        {
            return new GbnfNever(EmptyRange);
        }

        var maxDigits = upper.ToString(CultureInfo.InvariantCulture).Length;
        var alternatives = new List<GbnfExpr>();
        var fullFrom = -1;
        void FlushFull(int through)
        {
            if (fullFrom > 0)
            {
                alternatives.Add(G.Seq(NonZeroDigit, G.Rep(Digit, fullFrom - 1, through - 1)));
                fullFrom = -1;
            }
        }

        for (var length = minDigits; length <= maxDigits; length++)
        {
            var lengthMin = length == minDigits ? min : BigInteger.Pow(10, length - 1);
            var lengthMax = length == maxDigits ? upper : BigInteger.Pow(10, length) - 1;
            var full = lengthMin == BigInteger.Pow(10, length - 1) && lengthMax == BigInteger.Pow(10, length) - 1;
            if (full)
            {
                if (fullFrom < 0)
                {
                    fullFrom = length;
                }

                continue;
            }

            FlushFull(length - 1);
            alternatives.Add(FixedLength(
                lengthMin.ToString(CultureInfo.InvariantCulture).PadLeft(length, '0'),
                lengthMax.ToString(CultureInfo.InvariantCulture)));
        }

        FlushFull(maxDigits);
        return G.Alt(alternatives);
    }

    /// <summary>Digit strings of one length between two such strings (inclusive).</summary>
    private static GbnfExpr FixedLength(string lo, string hi)
    {
        if (lo == hi)
        {
            return G.Lit(lo);
        }

        if (lo[0] == hi[0])
        {
            return G.Seq(G.Lit(lo[..1]), FixedLength(lo[1..], hi[1..]));
        }

        var rest = lo.Length - 1;
        var lowRestZero = lo.AsSpan(1).IndexOfAnyExcept('0') < 0;
        var highRestNine = hi.AsSpan(1).IndexOfAnyExcept('9') < 0;
        var middleFrom = lowRestZero ? lo[0] : (char)(lo[0] + 1);
        var middleTo = highRestNine ? hi[0] : (char)(hi[0] - 1);
        var alternatives = new List<GbnfExpr>();
        if (!lowRestZero)
        {
            alternatives.Add(G.Seq(G.Lit(lo[..1]), FixedLength(lo[1..], new string('9', rest))));
        }

        if (middleFrom <= middleTo)
        {
            alternatives.Add(G.Seq(G.Class((middleFrom, middleTo)), G.Rep(Digit, rest, rest)));
        }

        if (!highRestNine)
        {
            alternatives.Add(G.Seq(G.Lit(hi[..1]), FixedLength(new string('0', rest), hi[1..])));
        }

        return G.Alt(alternatives);
    }

    private static string Digits(int digit) => ((char)('0' + digit)).ToString();
}
