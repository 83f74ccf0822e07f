using System.Globalization;
using System.Text;
using ARuntime.Sdk.SqlCipher.Tenants;

namespace ARuntime.Sdk.SqlCipher.Memory;

/// <summary>
/// Keyword terms for the FTS4 index, blinded: each normalized word is replaced by an HMAC under the tenant's index key,
/// so the index holds no plaintext words and, once the tenant's key is destroyed, no word can be linked to its token.
/// Matching is exact-word (case- and accent-insensitive); prefix and phrase queries are not supported.
/// </summary>
internal static class BlindIndex
{
    private const int MaxTermLength = 64;

    // Latin letters with diacritics, U+00C0..U+017F, folded to their base letters. A fixed table rather than Unicode
    // normalization keeps the terms identical whatever the host's globalization mode (invariant mode does not normalize).
    private const string Latin1Fold =
        "aaaaaa\0ceeeeiiii" + "dnooooo\0ouuuuy\0\0" + "aaaaaa\0ceeeeiiii" + "dnooooo\0ouuuuy\0y";

    private const string LatinExtendedAFold =
        "aaaaaaccccccccdddd" + "eeeeeeeeeegggggggg" + "hhhhiiiiiiiiii\0\0jj" + "kkklllllllllln" + "nnnnnnnnoooooo\0\0rr" + "rrrrssssssssttttttuuuu" + "uuuuuuuuwwyyyzzzzzzs";

    /// <summary>Returns the normalized words of a text, in order (duplicates kept, for term frequency).</summary>
    public static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                if (word.Length < MaxTermLength)
                {
                    Fold(char.ToLowerInvariant(c), word);
                }

                continue;
            }

            if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    private static void Fold(char c, StringBuilder word)
    {
        var folded = c switch
        {
            >= '\u00C0' and <= '\u00FF' => Latin1Fold[c - '\u00C0'],
            >= '\u0100' and <= '\u017F' => LatinExtendedAFold[c - '\u0100'],
            _ => c,
        };
        switch (c)
        {
            case '\u00E6' or '\u00C6':
                word.Append("ae");
                return;
            case '\u0153' or '\u0152':
                word.Append("oe");
                return;
            case '\u00DF':
                word.Append("ss");
                return;
            case '\u00FE' or '\u00DE':
                word.Append("th");
                return;
            case '\u0133' or '\u0132':
                word.Append("ij");
                return;
        }

        word.Append(folded == '\0' ? c : folded);
    }

    /// <summary>The indexed text of an item: the blinded tokens of its content and tags.</summary>
    /// <remarks>Tokens are per tenant, so a term never matches another tenant's items; the scope is filtered in SQL.</remarks>
    public static string Document(TenantDataKey key, string content, IEnumerable<string> tags)
    {
        var builder = new StringBuilder();
        foreach (var word in Words(content).Concat(tags.SelectMany(Words)))
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(key.IndexToken(word));
        }

        return builder.ToString();
    }
}
