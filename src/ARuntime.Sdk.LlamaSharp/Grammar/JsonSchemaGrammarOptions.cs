namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>Options of <see cref="JsonSchemaGrammarCompiler"/>.</summary>
public sealed record JsonSchemaGrammarOptions
{
    /// <summary>Gets the default options.</summary>
    public static JsonSchemaGrammarOptions Default { get; } = new();

    /// <summary>
    /// Gets the most JSON whitespace characters (space, tab, line feed, carriage return) allowed between two tokens:
    /// after <c>{</c>, <c>[</c>, <c>,</c> and <c>:</c>, before <c>}</c>, <c>]</c>, <c>,</c> and <c>:</c>. No whitespace is
    /// allowed before or after the whole value, so generation ends with the value. Bounded because unbounded whitespace
    /// lets small models emit spaces forever. 0 forces compact JSON; the default is 2; at most 32.
    /// </summary>
    public int MaxWhitespace { get; init; } = 2;

    /// <summary>
    /// Gets the most digits of the integer part of a generated number when the schema gives no bound that needs more
    /// (then the bound's digit count applies). Default 15 (every such integer is exact in a double); 1 to 100.
    /// </summary>
    public int MaxIntegerDigits { get; init; } = 15;

    /// <summary>
    /// Gets the most digits after the decimal point of a generated number (more when a bound has more). Default 10;
    /// 1 to 100.
    /// </summary>
    public int MaxFractionDigits { get; init; } = 10;

    /// <summary>
    /// Gets a value indicating whether generated strings write U+0800-U+0FFF and characters beyond the Basic
    /// Multilingual Plane only as <c>\u</c> escapes (astral characters as escaped surrogate pairs), never raw. llama.cpp
    /// decodes sampled bytes leniently, so with byte-fallback tokens a model can otherwise spell a character as an
    /// overlong, invalid UTF-8 sequence that the grammar accepts; these two ranges are the only ones where that can
    /// happen. Default <see langword="true"/> (valid UTF-8 by construction); set it to <see langword="false"/> to let
    /// models write those scripts (for example Devanagari, Thai) and emoji raw, relying on the validation after
    /// generation to catch invalid bytes.
    /// </summary>
    public bool ByteFallbackSafeStrings { get; init; } = true;

    /// <summary>
    /// Gets the largest grammar, in characters of GBNF text, the compiler produces; larger schemas give an
    /// <see cref="UnsupportedSchemaException"/>. Default 1,000,000.
    /// </summary>
    public int MaxGrammarLength { get; init; } = 1_000_000;

    /// <summary>
    /// Gets how many compiled schemas the compiler keeps, keyed by the schema's canonical text (least recently used
    /// entries are evicted). 0 disables the cache. Default 256.
    /// </summary>
    public int CacheCapacity { get; init; } = 256;

    /// <summary>
    /// Gets keywords to treat as annotations (ignored) in addition to the standard ones (<c>title</c>,
    /// <c>description</c>, <c>examples</c>, <c>default</c>, ...); any other unknown keyword is an error. For example
    /// <c>x-order</c> from a schema generator.
    /// </summary>
    public IReadOnlyCollection<string> AdditionalAnnotationKeywords { get; init; } = [];

    /// <summary>Checks the option values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    /// <exception cref="ArgumentException"><see cref="AdditionalAnnotationKeywords"/> contains a null or empty name.</exception>
    public void Validate()
    {
        static void Range(int value, int min, int max, string name)
        {
            if (value < min || value > max)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
            }
        }

        Range(MaxWhitespace, 0, 32, nameof(MaxWhitespace));
        Range(MaxIntegerDigits, 1, 100, nameof(MaxIntegerDigits));
        Range(MaxFractionDigits, 1, 100, nameof(MaxFractionDigits));
        Range(MaxGrammarLength, 1_000, 100_000_000, nameof(MaxGrammarLength));
        Range(CacheCapacity, 0, 1_000_000, nameof(CacheCapacity));
        if (AdditionalAnnotationKeywords is null || AdditionalAnnotationKeywords.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"{nameof(AdditionalAnnotationKeywords)} must not be null or contain empty names.", nameof(AdditionalAnnotationKeywords));
        }
    }
}
