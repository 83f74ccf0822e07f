using System.Globalization;

namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>
/// The SentencePiece-style ("llama") vocabulary of a synthetic model: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>,
/// <c>&lt;/s&gt;</c> (ids 0, 1, 2), the 256 byte-fallback tokens <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c> (ids 3..258),
/// then the extra normal pieces, then the caller's special (control) tokens. Because every byte has a token, any UTF-8
/// text tokenizes.
/// </summary>
internal sealed class SyntheticVocabulary
{
    public const int UnknownId = 0;
    public const int BosId = 1;
    public const int EosId = 2;
    public const int FirstByteId = 3;
    public const int ByteTokenCount = 256;
    public const int BuiltInCount = FirstByteId + ByteTokenCount;

    /// <summary>SentencePiece's word-boundary marker (U+2581), which llama.cpp's tokenizer substitutes for spaces.</summary>
    public const char SpaceMarker = '\u2581';

    private const string SingleCharacters =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()[]{}/_*#@&%$+=<>|\\`~";

    // Frequent English words (written as "▁word") and word endings: a plausible-looking piece inventory so that
    // ordinary prompts take fewer tokens than bytes, which keeps tests and benchmarks representative.
    private static readonly string[] Words =
    [
        "the", "and", "to", "of", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with", "as",
        "his", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "not", "but", "what", "some", "we",
        "can", "out", "other", "were", "all", "there", "when", "up", "use", "your", "how", "said", "an", "each", "she",
        "which", "do", "their", "time", "if", "will", "way", "about", "many", "then", "them", "would", "like", "so",
        "these", "her", "make", "see", "him", "two", "has", "look", "more", "day", "could", "go", "come", "did", "no",
        "most", "people", "my", "over", "know", "than", "call", "first", "who", "may", "down", "been", "now", "find",
        "any", "new", "work", "part", "take", "get", "made", "after", "back", "only", "good", "very", "just", "name",
        "tool", "call", "answer", "user", "system", "assistant", "result", "error", "value", "true", "false", "null",
    ];

    private static readonly string[] Fragments =
    [
        "ing", "ed", "er", "es", "ly", "tion", "th", "he", "in", "an", "re", "on", "at", "en", "nd", "st", "ou", "true",
        "false", "null", "{\"", "\":", "\",", "\"}", "\":\"", "\"]", "},", "}}",
    ];

    private SyntheticVocabulary(List<string> tokens, List<float> scores, List<int> types)
    {
        Tokens = tokens;
        Scores = scores;
        Types = types;
    }

    public IReadOnlyList<string> Tokens { get; }

    public IReadOnlyList<float> Scores { get; }

    public IReadOnlyList<int> Types { get; }

    /// <summary>Gets the text of the byte-fallback token for <paramref name="value"/>, as llama.cpp looks it up.</summary>
    public static string ByteTokenText(int value) => string.Create(CultureInfo.InvariantCulture, $"<0x{value:X2}>");

    /// <summary>Gets whether <paramref name="text"/> is one of the 259 built-in token texts.</summary>
    public static bool IsBuiltIn(string text)
    {
        if (text is "<unk>" or "<s>" or "</s>")
        {
            return true;
        }

        return text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>' &&
               int.TryParse(text.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _);
    }

    public static SyntheticVocabulary Create(int extraCount, IReadOnlyList<string> specialTokens)
    {
        var total = BuiltInCount + extraCount + specialTokens.Count;
        var tokens = new List<string>(total) { "<unk>", "<s>", "</s>" };
        var scores = new List<float>(total) { 0f, 0f, 0f };
        var types = new List<int>(total) { (int)TokenType.Unknown, (int)TokenType.Control, (int)TokenType.Control };

        for (var b = 0; b < ByteTokenCount; b++)
        {
            tokens.Add(ByteTokenText(b));
            scores.Add(0f);
            types.Add((int)TokenType.Byte);
        }

        var taken = new HashSet<string>(specialTokens, StringComparer.Ordinal);
        var added = 0;
        foreach (var piece in CandidatePieces())
        {
            if (added == extraCount)
            {
                break;
            }

            if (!taken.Add(piece))
            {
                continue;
            }

            tokens.Add(piece);

            // SentencePiece merges the highest-scoring pair first; earlier (more common) pieces win.
            scores.Add(-added);
            types.Add((int)TokenType.Normal);
            added++;
        }

        foreach (var special in specialTokens)
        {
            tokens.Add(special);
            scores.Add(0f);
            types.Add((int)TokenType.Control);
        }

        return new SyntheticVocabulary(tokens, scores, types);
    }

    /// <summary>
    /// An endless, deterministic sequence of pieces in which every multi-character piece is preceded by the piece one
    /// character shorter: llama.cpp's SentencePiece tokenizer only merges adjacent symbols into pieces that exist, so a
    /// piece whose prefixes are missing could never be produced.
    /// </summary>
    private static IEnumerable<string> CandidatePieces()
    {
        yield return SpaceMarker.ToString();
        foreach (var c in SingleCharacters)
        {
            yield return c.ToString();
        }

        foreach (var word in Words)
        {
            foreach (var prefix in Prefixes(SpaceMarker + word))
            {
                yield return prefix;
            }
        }

        foreach (var fragment in Fragments)
        {
            foreach (var prefix in Prefixes(fragment))
            {
                yield return prefix;
            }
        }

        // Generated words "▁a".."▁z", "▁aa".."▁zz", ...: unlimited, and each one's prefix comes earlier.
        for (long n = 0; ; n++)
        {
            yield return SpaceMarker + Base26(n);
        }
    }

    private static IEnumerable<string> Prefixes(string piece)
    {
        for (var length = 2; length <= piece.Length; length++)
        {
            yield return piece[..length];
        }
    }

    // Bijective base 26: 0 -> "a", 25 -> "z", 26 -> "aa", ...
    private static string Base26(long n)
    {
        Span<char> chars = stackalloc char[16];
        var position = chars.Length;
        n++;
        while (n > 0)
        {
            n--;
            chars[--position] = (char)('a' + (int)(n % 26));
            n /= 26;
        }

        return new string(chars[position..]);
    }

    /// <summary>llama.cpp's token attribute types, as stored in <c>tokenizer.ggml.token_type</c>.</summary>
    private enum TokenType
    {
        Normal = 1,
        Unknown = 2,
        Control = 3,
        Byte = 6,
    }
}
