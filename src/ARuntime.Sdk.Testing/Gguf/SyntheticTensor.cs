using System.Globalization;

namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>
/// One tensor of a synthetic model: its llama.cpp name, its shape in ggml order (the contiguous dimension first, as
/// GGUF stores it), its element type, how it is initialised, and its offset in the tensor data section.
/// </summary>
/// <param name="Name">The tensor name llama.cpp's llama loader looks up, for example <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Dimensions">The shape, innermost dimension first (a row of a weight matrix is one input vector).</param>
/// <param name="Type">The element type.</param>
/// <param name="UniformBound">Elements are uniform in [-bound, bound); zero means every element is 1 (a norm weight).</param>
/// <param name="Offset">The byte offset from the start of the tensor data section; a multiple of the alignment.</param>
/// <param name="IsOutputProjection">Whether rows are tokens whose logits this tensor produces (see <see cref="DampedRowScale"/>).</param>
internal sealed record SyntheticTensor(
    string Name, long[] Dimensions, GgufTensorType Type, float UniformBound, long Offset, bool IsOutputProjection = false)
{
    /// <summary>
    /// The factor applied to the output rows of byte-fallback and control tokens. Their logits then stay near zero while
    /// the normal pieces' logits spread widely, so a synthetic model writes mostly whole words (valid UTF-8) and almost
    /// never ends a sequence by itself: generation runs to the token limit unless a grammar or stop sequence ends it.
    /// </summary>
    public const float DampedRowScale = 0.125f;

    public long ElementCount => Dimensions.Aggregate(1L, (product, dimension) => product * dimension);

    public long ByteCount => ElementCount * BytesPerElement;

    public int BytesPerElement => Type == GgufTensorType.F16 ? 2 : 4;

    /// <summary>Lists the tensors of <paramref name="spec"/>, with offsets aligned to <paramref name="alignment"/>.</summary>
    public static IReadOnlyList<SyntheticTensor> Layout(SyntheticModelSpec spec, int alignment)
    {
        long embedding = spec.EmbeddingLength;
        long vocabulary = spec.VocabularySize;
        long kvWidth = (long)spec.KvHeadCount * spec.HeadDimension;
        long feedForward = spec.FeedForwardLength;
        var matrixType = spec.WeightType;

        // Scales: a projection of a unit-RMS input by weights uniform in ±sqrt(3 / fan_in) has unit variance, so
        // activations stay finite at any depth. The output projection is scaled for logits with a standard deviation
        // of about 3: peaked enough that greedy decoding rarely meets near-ties (batched and sequential runs then agree),
        // flat enough that sampling still varies.
        var unit = (Func<long, float>)(fanIn => MathF.Sqrt(3f / fanIn));
        var logits = 3f * MathF.Sqrt(3f / embedding);

        var tensors = new List<SyntheticTensor>();
        long offset = 0;
        void Add(string name, GgufTensorType type, float bound, long[] dimensions, bool isOutput = false)
        {
            var tensor = new SyntheticTensor(name, dimensions, type, bound, offset, isOutput);
            tensors.Add(tensor);
            offset += tensor.ByteCount;
            offset += (alignment - (offset % alignment)) % alignment;
        }

        // Tied: the embedding doubles as the output projection, so it takes the output scale (inputs are RMS-normed
        // before use, so the embedding's own scale does not matter for the rest of the network).
        Add("token_embd.weight", matrixType, spec.TiedEmbeddings ? logits : 1f, [embedding, vocabulary], spec.TiedEmbeddings);
        Add("output_norm.weight", GgufTensorType.F32, 0f, [embedding]);
        if (!spec.TiedEmbeddings)
        {
            Add("output.weight", matrixType, logits, [embedding, vocabulary], isOutput: true);
        }

        for (var layer = 0; layer < spec.Layers; layer++)
        {
            string Block(string suffix) => string.Create(CultureInfo.InvariantCulture, $"blk.{layer}.{suffix}.weight");

            Add(Block("attn_norm"), GgufTensorType.F32, 0f, [embedding]);
            Add(Block("attn_q"), matrixType, unit(embedding), [embedding, embedding]);
            Add(Block("attn_k"), matrixType, unit(embedding), [embedding, kvWidth]);
            Add(Block("attn_v"), matrixType, unit(embedding), [embedding, kvWidth]);
            Add(Block("attn_output"), matrixType, unit(embedding), [embedding, embedding]);
            Add(Block("ffn_norm"), GgufTensorType.F32, 0f, [embedding]);
            Add(Block("ffn_gate"), matrixType, unit(embedding), [embedding, feedForward]);
            Add(Block("ffn_up"), matrixType, unit(embedding), [embedding, feedForward]);
            Add(Block("ffn_down"), matrixType, unit(feedForward), [feedForward, embedding]);
        }

        return tensors;
    }
}
