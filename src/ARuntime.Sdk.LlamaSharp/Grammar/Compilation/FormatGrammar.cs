using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// Grammars for the supported string formats. Each produces a subset of the format that .NET-based validators accept:
/// <list type="bullet">
/// <item><c>date</c>: <c>YYYY-MM-DD</c>, years 0001-9999, days valid for the month (February up to the 28th, so leap
/// years never matter);</item>
/// <item><c>time</c>: <c>hh:mm:ss</c>, optional fraction of 1-9 digits, then <c>Z</c> or <c>±hh:mm</c> (no leap second);</item>
/// <item><c>date-time</c>: a date, <c>T</c>, a time;</item>
/// <item><c>uuid</c>: 8-4-4-4-12 hexadecimal digits;</item>
/// <item><c>ipv4</c>: four decimal octets 0-255 without leading zeros.</item>
/// </list>
/// </summary>
internal static class FormatGrammar
{
    /// <summary>Gets the names of the supported formats.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["date", "time", "date-time", "uuid", "ipv4"];

    /// <summary>Returns the grammar of a format's string contents and its length range, or null when not supported.</summary>
    public static (GbnfExpr Content, int MinLength, int MaxLength)? Get(string format, NumberGrammar numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        return format switch
        {
            "date" => (Date(), 10, 10),
            "time" => (Time(), 9, 24),
            "date-time" => (G.Seq(Date(), G.Lit("T"), Time()), 20, 35),
            "uuid" => (Uuid(), 36, 36),
            "ipv4" => (Ipv4(numbers), 7, 15),
            _ => null,
        };
    }

    private static GbnfExpr Digit => G.Class(('0', '9'));

    private static GbnfExpr Date()
    {
        var year = G.Alt(
            G.Seq(G.Class(('1', '9')), G.Rep(Digit, 3, 3)),
            G.Seq(G.Lit("0"), ThreeDigitsFrom001()));
        var day28 = G.Alt(G.Seq(G.Lit("0"), G.Class(('1', '9'))), G.Seq(G.Class(('1', '1')), Digit), G.Seq(G.Lit("2"), G.Class(('0', '8'))));
        var day30 = G.Alt(day28, G.Lit("29"), G.Lit("30"));
        var day31 = G.Alt(day30, G.Lit("31"));
        var monthDay = G.Alt(
            G.Seq(G.Alt(G.Lit("01"), G.Lit("03"), G.Lit("05"), G.Lit("07"), G.Lit("08"), G.Lit("10"), G.Lit("12")), G.Lit("-"), day31),
            G.Seq(G.Alt(G.Lit("04"), G.Lit("06"), G.Lit("09"), G.Lit("11")), G.Lit("-"), day30),
            G.Seq(G.Lit("02-"), day28));
        return G.Seq(year, G.Lit("-"), monthDay);
    }

    /// <summary>Years 001-999 written with three digits (after a leading 0).</summary>
    private static GbnfExpr ThreeDigitsFrom001()
    {
        return G.Alt(
            G.Seq(G.Class(('1', '9')), G.Rep(Digit, 2, 2)),
            G.Seq(G.Lit("0"), G.Class(('1', '9')), Digit),
            G.Seq(G.Lit("00"), G.Class(('1', '9'))));
    }

    private static GbnfExpr Time()
    {
        var hour = G.Alt(G.Seq(G.Class(('0', '1')), Digit), G.Seq(G.Lit("2"), G.Class(('0', '3'))));
        var minute = G.Seq(G.Class(('0', '5')), Digit);
        var fraction = G.Opt(G.Seq(G.Lit("."), G.Rep(Digit, 1, 9)));
        var offset = G.Alt(G.Lit("Z"), G.Seq(G.Class(('+', '+'), ('-', '-')), hour, G.Lit(":"), minute));
        return G.Seq(hour, G.Lit(":"), minute, G.Lit(":"), minute, fraction, offset);
    }

    private static GbnfExpr Uuid()
    {
        var hex = G.Class(('0', '9'), ('a', 'f'), ('A', 'F'));
        return G.Seq(
            G.Rep(hex, 8, 8), G.Lit("-"), G.Rep(hex, 4, 4), G.Lit("-"), G.Rep(hex, 4, 4), G.Lit("-"), G.Rep(hex, 4, 4), G.Lit("-"), G.Rep(hex, 12, 12));
    }

    private static GbnfExpr Ipv4(NumberGrammar numbers)
    {
        var octet = numbers.IntegerRange(0, 255);
        return G.Seq(octet, G.Lit("."), octet, G.Lit("."), octet, G.Lit("."), octet);
    }
}
