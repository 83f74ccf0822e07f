using System.Globalization;
using System.Text;
using ARuntime.Sdk.Memory;
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

    /// <summary>Returns the normalized words of a text, in order (duplicates kept, for term frequency).</summary>
    public static IEnumerable<string> Words(string text)
    {
        var normalized = text.Normalize(NormalizationForm.FormD);
        var word = new StringBuilder();
        foreach (var c in normalized)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                if (word.Length < MaxTermLength)
                {
                    word.Append(char.ToLowerInvariant(c));
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

    /// <summary>The token that marks a document's scope (so a search only matches its own scope inside the index).</summary>
    public static string ScopeToken(TenantDataKey key, MemoryScope scope) =>
        key.IndexToken($"\u0001scope\u0001{(int)scope.Kind}\u0001{scope.OwnerId ?? string.Empty}");

    /// <summary>The indexed text of an item: its scope token followed by its content and tag tokens.</summary>
    public static string Document(TenantDataKey key, MemoryScope scope, string content, IEnumerable<string> tags)
    {
        var builder = new StringBuilder(ScopeToken(key, scope));
        foreach (var word in Words(content).Concat(tags.SelectMany(Words)))
        {
            builder.Append(' ').Append(key.IndexToken(word));
        }

        return builder.ToString();
    }
}
