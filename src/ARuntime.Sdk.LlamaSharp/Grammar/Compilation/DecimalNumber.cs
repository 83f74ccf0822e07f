using System.Globalization;
using System.Numerics;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// An exact decimal number read from JSON number text (no binary floating point anywhere, so bounds such as
/// <c>0.1</c> are compiled exactly): a sign, an integer part and the fractional digits without trailing zeros.
/// </summary>
internal readonly record struct DecimalNumber(bool Negative, BigInteger IntegerPart, string Fraction) : IComparable<DecimalNumber>
{
    /// <summary>The largest decimal exponent accepted in schema numbers.</summary>
    private const int MaxExponent = 400;

    /// <summary>Gets zero.</summary>
    public static DecimalNumber Zero { get; } = new(false, BigInteger.Zero, string.Empty);

    /// <summary>Gets a value indicating whether the number is an integer.</summary>
    public bool IsInteger => Fraction.Length == 0;

    /// <summary>Gets a value indicating whether the number is zero.</summary>
    public bool IsZero => IntegerPart.IsZero && Fraction.Length == 0;

    /// <summary>Gets the absolute value.</summary>
    public DecimalNumber Magnitude => this with { Negative = false };

    /// <summary>Parses JSON number text exactly.</summary>
    /// <exception cref="FormatException">The text is not a JSON number or its exponent is out of range.</exception>
    public static DecimalNumber Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var position = 0;
        var negative = false;
        if (position < text.Length && text[position] == '-')
        {
            negative = true;
            position++;
        }

        var integerStart = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        var integerDigits = text[integerStart..position];
        var fractionDigits = string.Empty;
        if (position < text.Length && text[position] == '.')
        {
            var fractionStart = ++position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            fractionDigits = text[fractionStart..position];
            if (fractionDigits.Length == 0)
            {
                throw new FormatException($"'{text}' is not a JSON number.");
            }
        }

        var exponent = 0;
        if (position < text.Length && text[position] is 'e' or 'E')
        {
            position++;
            var exponentStart = position;
            if (position < text.Length && text[position] is '+' or '-')
            {
                position++;
            }

            var digitsStart = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            if (position == digitsStart || position - digitsStart > 6)
            {
                throw new FormatException($"'{text}' has an exponent out of range.");
            }

            exponent = int.Parse(text.AsSpan(exponentStart, position - exponentStart), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        if (integerDigits.Length == 0 || position != text.Length)
        {
            throw new FormatException($"'{text}' is not a JSON number.");
        }

        if (Math.Abs(exponent) > MaxExponent)
        {
            throw new FormatException($"'{text}' is outside the supported range (exponent beyond ±{MaxExponent}).");
        }

        var digits = integerDigits + fractionDigits;
        var point = integerDigits.Length + exponent;
        string integerText, fractionText;
        if (point <= 0)
        {
            integerText = "0";
            fractionText = new string('0', -point) + digits;
        }
        else if (point >= digits.Length)
        {
            integerText = digits + new string('0', point - digits.Length);
            fractionText = string.Empty;
        }
        else
        {
            integerText = digits[..point];
            fractionText = digits[point..];
        }

        var integerPart = BigInteger.Parse(integerText, NumberStyles.None, CultureInfo.InvariantCulture);
        fractionText = fractionText.TrimEnd('0');
        var isZero = integerPart.IsZero && fractionText.Length == 0;
        return new DecimalNumber(negative && !isZero, integerPart, fractionText);
    }

    /// <summary>Creates an integer.</summary>
    public static DecimalNumber FromInteger(BigInteger value) => new(value.Sign < 0, BigInteger.Abs(value), string.Empty);

    /// <summary>Returns the smallest integer not below this number.</summary>
    public BigInteger Ceiling()
    {
        var signed = Negative ? -IntegerPart : IntegerPart;
        return IsInteger || Negative ? signed : signed + 1;
    }

    /// <summary>Returns the largest integer not above this number.</summary>
    public BigInteger Floor()
    {
        var signed = Negative ? -IntegerPart : IntegerPart;
        return IsInteger || !Negative ? signed : signed - 1;
    }

    /// <summary>Returns the negated number.</summary>
    public DecimalNumber Negate() => IsZero ? this : this with { Negative = !Negative };

    /// <inheritdoc />
    public int CompareTo(DecimalNumber other)
    {
        if (Negative != other.Negative)
        {
            return Negative ? -1 : 1;
        }

        var magnitude = CompareMagnitude(this, other);
        return Negative ? -magnitude : magnitude;
    }

    /// <summary>Returns whether this number is below <paramref name="other"/>.</summary>
    public bool IsLessThan(DecimalNumber other) => CompareTo(other) < 0;

    /// <inheritdoc />
    public override string ToString()
    {
        var text = (Negative ? "-" : string.Empty) + IntegerPart.ToString(CultureInfo.InvariantCulture);
        return Fraction.Length == 0 ? text : text + "." + Fraction;
    }

    private static int CompareMagnitude(DecimalNumber a, DecimalNumber b)
    {
        var integer = a.IntegerPart.CompareTo(b.IntegerPart);
        if (integer != 0)
        {
            return integer;
        }

        var length = Math.Max(a.Fraction.Length, b.Fraction.Length);
        return string.CompareOrdinal(a.Fraction.PadRight(length, '0'), b.Fraction.PadRight(length, '0'));
    }
}
