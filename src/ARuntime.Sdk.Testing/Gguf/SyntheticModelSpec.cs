using System.Text;

namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>
/// Describes a synthetic Llama-architecture model for <see cref="SyntheticGgufBuilder"/>: its shape, vocabulary, chat
/// template, weight type and seed. The weights are seeded random numbers, so the model runs real llama.cpp inference
/// (loading, tokenization, prefill, decode, sampling, batching, KV cache) at any size but writes meaningless text.
/// </summary>
/// <remarks>
/// The defaults equal <see cref="Tiny"/>. Equal specs (compared by value, including <see cref="SpecialTokens"/>)
/// always produce byte-identical files.
/// </remarks>
public sealed record SyntheticModelSpec
{
    private readonly IReadOnlyList<string> specialTokens = [];

    /// <summary>The largest accepted <see cref="ExtraVocabulary"/>.</summary>
    public const int MaxExtraVocabulary = 1_000_000;

    /// <summary>The largest accepted <see cref="EmbeddingLength"/>.</summary>
    public const int MaxEmbeddingLength = 65_536;

    /// <summary>The largest accepted <see cref="FeedForwardLength"/>.</summary>
    public const int MaxFeedForwardLength = 1_048_576;

    /// <summary>The largest accepted <see cref="Layers"/>.</summary>
    public const int MaxLayers = 1_024;

    /// <summary>The number of built-in tokens: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and the 256 byte tokens.</summary>
    public const int BuiltInTokenCount = SyntheticVocabulary.BuiltInCount;

    /// <summary>
    /// Gets a spec for fast unit tests (about 158K parameters, about 0.6 MB as F32): 2 layers, embedding 64,
    /// 4 heads / 2 KV heads, feed-forward 176, 515 tokens, context 1024.
    /// </summary>
    public static SyntheticModelSpec Tiny { get; } = new();

    /// <summary>
    /// Gets a spec of about 5.1M parameters (about 20 MB as F32): 6 layers, embedding 256, 8 heads / 4 KV heads,
    /// feed-forward 704, 1,283 tokens, context 2048.
    /// </summary>
    public static SyntheticModelSpec Small { get; } = new()
    {
        Name = "aruntime-synthetic-llama-small",
        Layers = 6,
        EmbeddingLength = 256,
        HeadCount = 8,
        KvHeadCount = 4,
        FeedForwardLength = 704,
        ContextLength = 2048,
        ExtraVocabulary = 1024,
    };

    /// <summary>
    /// Gets a spec of about 21M parameters (about 84 MB as F32) for batching benchmarks: 6 layers, embedding 512,
    /// 8 heads / 4 KV heads, feed-forward 1408, 3,331 tokens, context 4096.
    /// </summary>
    public static SyntheticModelSpec Medium20M { get; } = new()
    {
        Name = "aruntime-synthetic-llama-medium",
        Layers = 6,
        EmbeddingLength = 512,
        HeadCount = 8,
        KvHeadCount = 4,
        FeedForwardLength = 1408,
        ContextLength = 4096,
        ExtraVocabulary = 3072,
    };

    /// <summary>Gets the number of transformer blocks (<c>llama.block_count</c>). Default 2.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Gets the hidden size (<c>llama.embedding_length</c>); a multiple of <see cref="HeadCount"/>. Default 64.</summary>
    public int EmbeddingLength { get; init; } = 64;

    /// <summary>Gets the number of query heads (<c>llama.attention.head_count</c>). Default 4.</summary>
    public int HeadCount { get; init; } = 4;

    /// <summary>
    /// Gets the number of key/value heads (<c>llama.attention.head_count_kv</c>); <see cref="HeadCount"/> must be a
    /// multiple of it. Fewer KV heads than query heads is grouped-query attention. Default 2.
    /// </summary>
    public int KvHeadCount { get; init; } = 2;

    /// <summary>Gets the inner size of the SwiGLU feed-forward network (<c>llama.feed_forward_length</c>). Default 176.</summary>
    public int FeedForwardLength { get; init; } = 176;

    /// <summary>Gets the training context length written to <c>llama.context_length</c>. Default 1024.</summary>
    public int ContextLength { get; init; } = 1024;

    /// <summary>
    /// Gets the number of normal vocabulary pieces after the <see cref="BuiltInTokenCount"/> built-in tokens: single
    /// characters, common English words with SentencePiece's '▁' space marker, then generated words. Default 256.
    /// </summary>
    public int ExtraVocabulary { get; init; } = 256;

    /// <summary>
    /// Gets extra control tokens appended after the vocabulary (for example <c>&lt;|im_start|&gt;</c> and
    /// <c>&lt;|im_end|&gt;</c> to go with a ChatML <see cref="ChatTemplate"/>; llama.cpp treats a few well-known
    /// names such as <c>&lt;|im_end|&gt;</c> as end-of-generation). Default none.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IReadOnlyList<string> SpecialTokens
    {
        get => specialTokens;

        // Copied, so a caller's later change to its list cannot change this (immutable) spec or its cached file.
        init => specialTokens = value?.ToArray().AsReadOnly() ?? throw new ArgumentNullException(nameof(SpecialTokens));
    }

    /// <summary>Gets the chat template written to <c>tokenizer.chat_template</c>, or <see langword="null"/> for none (a base model). Default none.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Gets the seed of the random weights. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Gets the element type of the weight matrices (norms are always F32). Default <see cref="GgufTensorType.F32"/>.</summary>
    public GgufTensorType WeightType { get; init; } = GgufTensorType.F32;

    /// <summary>
    /// Gets whether the output projection reuses the token embedding matrix (no <c>output.weight</c> tensor; llama.cpp
    /// then uses <c>token_embd.weight</c> for both). Default <see langword="false"/>.
    /// </summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>Gets the model name written to <c>general.name</c>. Default <c>aruntime-synthetic-llama</c>.</summary>
    public string Name { get; init; } = "aruntime-synthetic-llama";

    /// <summary>Gets the size of one attention head (and the RoPE dimension count): <see cref="EmbeddingLength"/> / <see cref="HeadCount"/>.</summary>
    public int HeadDimension => HeadCount > 0 ? EmbeddingLength / HeadCount : 0;

    /// <summary>Gets the total number of tokens: the built-in tokens, <see cref="ExtraVocabulary"/> and <see cref="SpecialTokens"/>.</summary>
    public int VocabularySize => BuiltInTokenCount + ExtraVocabulary + SpecialTokens.Count;

    /// <summary>
    /// Gets the number of parameters in the file (every tensor's element count, as llama.cpp reports it), which
    /// determines its size: 4 bytes each for F32, about 2 for F16.
    /// </summary>
    public long ParameterCount
    {
        get
        {
            long embedding = EmbeddingLength;
            long kvWidth = (long)KvHeadCount * HeadDimension;
            long perLayer = (2 * embedding) // attention and feed-forward norms
                            + (2 * embedding * embedding) // query and attention output
                            + (2 * embedding * kvWidth) // key and value
                            + (3 * embedding * FeedForwardLength); // gate, up and down
            long vocabulary = (long)VocabularySize * embedding;
            return (TiedEmbeddings ? vocabulary : 2 * vocabulary) + embedding + (Layers * perLayer);
        }
    }

    /// <summary>Checks that llama.cpp can load a model of this shape.</summary>
    /// <exception cref="ArgumentException">A property is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public void Validate()
    {
        RequireRange(Layers, 1, MaxLayers, nameof(Layers));
        RequireRange(EmbeddingLength, 2, MaxEmbeddingLength, nameof(EmbeddingLength));
        RequireRange(HeadCount, 1, EmbeddingLength, nameof(HeadCount));
        RequireRange(KvHeadCount, 1, HeadCount, nameof(KvHeadCount));
        RequireRange(FeedForwardLength, 1, MaxFeedForwardLength, nameof(FeedForwardLength));
        RequireRange(ContextLength, 1, int.MaxValue, nameof(ContextLength));
        RequireRange(ExtraVocabulary, 0, MaxExtraVocabulary, nameof(ExtraVocabulary));

        if (EmbeddingLength % HeadCount != 0)
        {
            throw new ArgumentException(
                $"EmbeddingLength ({EmbeddingLength}) must be a multiple of HeadCount ({HeadCount}).", nameof(EmbeddingLength));
        }

        if (HeadCount % KvHeadCount != 0)
        {
            throw new ArgumentException(
                $"HeadCount ({HeadCount}) must be a multiple of KvHeadCount ({KvHeadCount}).", nameof(KvHeadCount));
        }

        if (HeadDimension % 2 != 0)
        {
            // RoPE rotates dimension pairs, so the head size must be even.
            throw new ArgumentException(
                $"EmbeddingLength / HeadCount ({HeadDimension}) must be even for rotary position embeddings.", nameof(HeadCount));
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("Name must not be null, empty or white space.", nameof(Name));
        }

        RequireValidText(Name, nameof(Name));

        if (ChatTemplate is not null)
        {
            if (string.IsNullOrWhiteSpace(ChatTemplate))
            {
                throw new ArgumentException("ChatTemplate must be null (no template) or non-blank text.", nameof(ChatTemplate));
            }

            RequireValidText(ChatTemplate, nameof(ChatTemplate));
        }

        ValidateSpecialTokens();
    }

    /// <inheritdoc />
    public bool Equals(SyntheticModelSpec? other) =>
        other is not null &&
        Layers == other.Layers &&
        EmbeddingLength == other.EmbeddingLength &&
        HeadCount == other.HeadCount &&
        KvHeadCount == other.KvHeadCount &&
        FeedForwardLength == other.FeedForwardLength &&
        ContextLength == other.ContextLength &&
        ExtraVocabulary == other.ExtraVocabulary &&
        string.Equals(ChatTemplate, other.ChatTemplate, StringComparison.Ordinal) &&
        Seed == other.Seed &&
        WeightType == other.WeightType &&
        TiedEmbeddings == other.TiedEmbeddings &&
        string.Equals(Name, other.Name, StringComparison.Ordinal) &&
        SpecialTokens.SequenceEqual(other.SpecialTokens, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Layers);
        hash.Add(EmbeddingLength);
        hash.Add(HeadCount);
        hash.Add(KvHeadCount);
        hash.Add(FeedForwardLength);
        hash.Add(ContextLength);
        hash.Add(ExtraVocabulary);
        hash.Add(ChatTemplate, StringComparer.Ordinal);
        hash.Add(Seed);
        hash.Add(WeightType);
        hash.Add(TiedEmbeddings);
        hash.Add(Name, StringComparer.Ordinal);
        foreach (var token in SpecialTokens)
        {
            hash.Add(token, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    private void ValidateSpecialTokens()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in SpecialTokens)
        {
            if (string.IsNullOrEmpty(token))
            {
                throw new ArgumentException("SpecialTokens must not contain null or empty tokens.", nameof(SpecialTokens));
            }

            RequireValidText(token, nameof(SpecialTokens));
            if (SyntheticVocabulary.IsBuiltIn(token))
            {
                throw new ArgumentException($"SpecialTokens must not repeat the built-in token '{token}'.", nameof(SpecialTokens));
            }

            if (!seen.Add(token))
            {
                throw new ArgumentException($"SpecialTokens contains '{token}' twice.", nameof(SpecialTokens));
            }
        }
    }

    private static void RequireRange(int value, int minimum, int maximum, string name)
    {
        if (value < minimum || value > maximum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {minimum} and {maximum}.");
        }
    }

    private static void RequireValidText(string value, string name)
    {
        // GGUF strings are UTF-8; a lone surrogate has no UTF-8 form.
        if (!value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return;
        }

        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(value);
        }
        catch (EncoderFallbackException exception)
        {
            throw new ArgumentException($"{name} contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode.", name, exception);
        }
    }
}
