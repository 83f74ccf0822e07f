using System.Buffers;
using System.Text;
using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>
/// Keeps message text from forging template markup. The rendered prompt is tokenized with special-token parsing on (the
/// template's own markers, such as <c>&lt;|im_start|&gt;</c>, must become control tokens), so a message containing such
/// a marker's text would otherwise turn into a real control token. The guard breaks every occurrence of a control
/// token's text in message content by inserting a zero-width space after its first character.
/// </summary>
internal sealed class SpecialTokenGuard
{
    private const char Breaker = '\u200B';

    private readonly SearchValues<string>? markers;

    private SpecialTokenGuard(IReadOnlyCollection<string> texts)
    {
        Count = texts.Count;
        markers = texts.Count == 0 ? null : SearchValues.Create([.. texts], StringComparison.Ordinal);
    }

    /// <summary>Gets a guard that changes nothing.</summary>
    public static SpecialTokenGuard None { get; } = new([]);

    /// <summary>Gets the number of marker texts guarded.</summary>
    public int Count { get; }

    /// <summary>Collects the texts of a vocabulary's control and user-defined tokens that look like markup.</summary>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <returns>The guard.</returns>
    public static SpecialTokenGuard FromVocabulary(SafeLlamaModelHandle.Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var texts = new HashSet<string>(StringComparer.Ordinal);
        for (var id = 0; id < vocabulary.Count; id++)
        {
            var token = (LLamaToken)id;
            var attributes = token.GetAttributes(vocabulary);
            if ((attributes & (LLamaTokenAttr.Control | LLamaTokenAttr.UserDefined)) == 0)
            {
                continue;
            }

            var text = vocabulary.LLamaTokenToString(token, isSpecialToken: true);
            if (text is { Length: >= 2 } && text.AsSpan().IndexOfAny("<>[]|") >= 0)
            {
                texts.Add(text);
            }
        }

        return new SpecialTokenGuard(texts);
    }

    /// <summary>Creates a guard over explicit marker texts.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>The guard.</returns>
    public static SpecialTokenGuard FromTexts(IEnumerable<string> texts) =>
        new(texts.Where(t => t.Length >= 2).ToHashSet(StringComparer.Ordinal));

    /// <summary>Breaks every marker text in <paramref name="content"/>.</summary>
    /// <param name="content">Message text.</param>
    /// <returns>The text, unchanged when it contains no marker.</returns>
    public string Neutralize(string content)
    {
        if (markers is null || content.AsSpan().IndexOfAny(markers) < 0)
        {
            return content;
        }

        var builder = new StringBuilder(content.Length + 8);
        var rest = content.AsSpan();
        while (true)
        {
            var index = rest.IndexOfAny(markers);
            if (index < 0)
            {
                builder.Append(rest);
                return builder.ToString();
            }

            builder.Append(rest[..(index + 1)]).Append(Breaker);
            rest = rest[(index + 1)..];
        }
    }
}
