using System.Globalization;
using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>
/// An immutable set of Unicode code points, stored as sorted, disjoint, non-adjacent inclusive ranges. Character classes
/// of patterns and of JSON strings are computed with it before they are written as GBNF.
/// </summary>
internal sealed class CodePointSet : IEquatable<CodePointSet>
{
    /// <summary>The largest Unicode code point.</summary>
    public const int MaxCodePoint = 0x10FFFF;

    private readonly (int Lo, int Hi)[] ranges;

    private CodePointSet((int Lo, int Hi)[] normalizedRanges) => ranges = normalizedRanges;

    /// <summary>Gets the empty set.</summary>
    public static CodePointSet Empty { get; } = new([]);

    /// <summary>Gets every Unicode scalar value: U+0000..U+10FFFF without the surrogates.</summary>
    public static CodePointSet AllScalars { get; } = FromRanges((0, 0xD7FF), (0xE000, MaxCodePoint));

    /// <summary>Gets the ranges, sorted and disjoint.</summary>
    public IReadOnlyList<(int Lo, int Hi)> Ranges => ranges;

    /// <summary>Gets a value indicating whether the set is empty.</summary>
    public bool IsEmpty => ranges.Length == 0;

    /// <summary>Gets the number of code points in the set.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (var (lo, hi) in ranges)
            {
                count += hi - lo + 1;
            }

            return count;
        }
    }

    /// <summary>Creates a set of one code point.</summary>
    public static CodePointSet Single(int codePoint) => FromRanges((codePoint, codePoint));

    /// <summary>Creates a set of one inclusive range.</summary>
    public static CodePointSet Range(int lo, int hi) => FromRanges((lo, hi));

    /// <summary>Creates a set of the code points of a string (surrogate pairs are combined).</summary>
    public static CodePointSet OfChars(string chars)
    {
        var list = new List<(int, int)>();
        foreach (var rune in chars.EnumerateRunes())
        {
            list.Add((rune.Value, rune.Value));
        }

        return FromRanges([.. list]);
    }

    /// <summary>Creates a set from arbitrary (possibly overlapping, unsorted) inclusive ranges.</summary>
    public static CodePointSet FromRanges(params (int Lo, int Hi)[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sorted = input.Where(r => r.Lo <= r.Hi).OrderBy(r => r.Lo).ToList();
        var result = new List<(int Lo, int Hi)>(sorted.Count);
        foreach (var (lo, hi) in sorted)
        {
            if (lo < 0 || hi > MaxCodePoint)
            {
                throw new ArgumentOutOfRangeException(nameof(input), "Code points must be within U+0000..U+10FFFF.");
            }

            if (result.Count > 0 && lo <= result[^1].Hi + 1)
            {
                result[^1] = (result[^1].Lo, Math.Max(result[^1].Hi, hi));
            }
            else
            {
                result.Add((lo, hi));
            }
        }

        return new CodePointSet([.. result]);
    }

    /// <summary>Returns whether the set contains <paramref name="codePoint"/>.</summary>
    public bool Contains(int codePoint)
    {
        int low = 0, high = ranges.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (codePoint < ranges[mid].Lo)
            {
                high = mid - 1;
            }
            else if (codePoint > ranges[mid].Hi)
            {
                low = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns the union of this set and <paramref name="other"/>.</summary>
    public CodePointSet Union(CodePointSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return FromRanges([.. ranges, .. other.ranges]);
    }

    /// <summary>Returns the code points of U+0000..U+10FFFF that are not in this set.</summary>
    public CodePointSet Complement()
    {
        var result = new List<(int, int)>();
        var next = 0;
        foreach (var (lo, hi) in ranges)
        {
            if (lo > next)
            {
                result.Add((next, lo - 1));
            }

            next = hi + 1;
        }

        if (next <= MaxCodePoint)
        {
            result.Add((next, MaxCodePoint));
        }

        return new CodePointSet([.. result]);
    }

    /// <summary>Returns the intersection of this set and <paramref name="other"/>.</summary>
    public CodePointSet Intersect(CodePointSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new List<(int, int)>();
        int i = 0, j = 0;
        while (i < ranges.Length && j < other.ranges.Length)
        {
            var lo = Math.Max(ranges[i].Lo, other.ranges[j].Lo);
            var hi = Math.Min(ranges[i].Hi, other.ranges[j].Hi);
            if (lo <= hi)
            {
                result.Add((lo, hi));
            }

            if (ranges[i].Hi < other.ranges[j].Hi)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return new CodePointSet([.. result]);
    }

    /// <summary>Returns the code points of this set that are not in <paramref name="other"/>.</summary>
    public CodePointSet Except(CodePointSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Intersect(other.Complement());
    }

    /// <inheritdoc />
    public bool Equals(CodePointSet? other) => other is not null && ranges.AsSpan().SequenceEqual(other.ranges);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CodePointSet);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var range in ranges)
        {
            hash.Add(range.Lo);
            hash.Add(range.Hi);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder("{");
        foreach (var (lo, hi) in ranges)
        {
            text.Append(CultureInfo.InvariantCulture, $"U+{lo:X4}");
            if (hi != lo)
            {
                text.Append(CultureInfo.InvariantCulture, $"-U+{hi:X4}");
            }

            text.Append(' ');
        }

        return text.Append('}').ToString();
    }
}
