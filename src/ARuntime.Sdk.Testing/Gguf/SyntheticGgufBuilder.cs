using System.Buffers.Binary;
using System.Diagnostics;

namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>
/// Writes a <see cref="SyntheticModelSpec"/> as a GGUF v3 file of a Llama-architecture model with seeded random weights,
/// which llama.cpp (and so LLamaSharp) loads and runs like any other model. Use it to test real inference with no
/// download and at any size; the text it generates is meaningless.
/// </summary>
/// <remarks>
/// Writing streams tensor by tensor through a 64 KB buffer (a model is never held in memory) and is deterministic: the
/// same spec always gives the same bytes, on any machine. The file carries the metadata llama.cpp's <c>llama</c>
/// loader reads (<c>general.architecture</c>, <c>llama.context_length</c>, <c>llama.embedding_length</c>,
/// <c>llama.block_count</c>, <c>llama.feed_forward_length</c>, <c>llama.rope.dimension_count</c>, the attention head
/// counts and RMS-norm epsilon), a SentencePiece (<c>llama</c>) tokenizer with byte fallback, and optionally
/// <c>tokenizer.chat_template</c>.
/// </remarks>
public static class SyntheticGgufBuilder
{
    /// <summary>The tensor data alignment written to <c>general.alignment</c> (GGUF's default).</summary>
    public const int Alignment = 32;

    /// <summary>
    /// A version of the generator's output: it changes whenever the same spec would produce different bytes, so caches
    /// keyed by spec (see <see cref="TestModels.GetSynthetic"/>) never serve a stale file.
    /// </summary>
    public const int FormatRevision = 1;

    private const uint GgufMagic = 0x46554747; // "GGUF" read as a little-endian uint32
    private const uint GgufVersion = 3;
    private const float RmsNormEpsilon = 1e-5f;
    private const float RopeFrequencyBase = 10000f;

    /// <summary>Writes the model to a file, replacing any existing file at <paramref name="path"/>.</summary>
    /// <param name="spec">The model to write.</param>
    /// <param name="path">The destination file; its directory is created if missing.</param>
    /// <param name="cancellationToken">Stops writing between tensors.</param>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is invalid (the exception names the property) or
    /// <paramref name="path"/> is empty.</exception>
    /// <remarks>If writing fails or is cancelled, the partial file is deleted.</remarks>
    public static void Write(SyntheticModelSpec spec, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        spec.Validate();

        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Opened outside the try: a file we could not open is someone else's, and must not be deleted.
        var file = new FileStream(fullPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        try
        {
            using (file)
            {
                WriteValidated(spec, file, cancellationToken);
            }
        }
        catch
        {
            // Never leave a truncated model behind: llama.cpp would reject it with a far less helpful error.
            File.Delete(fullPath);
            throw;
        }
    }

    /// <summary>Writes the model to a stream, which need not be seekable; the stream is left open.</summary>
    /// <param name="spec">The model to write.</param>
    /// <param name="destination">A writable stream.</param>
    /// <param name="cancellationToken">Stops writing between tensors.</param>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is invalid (the exception names the property) or
    /// <paramref name="destination"/> is not writable.</exception>
    public static void Write(SyntheticModelSpec spec, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        spec.Validate();
        WriteValidated(spec, destination, cancellationToken);
    }

    /// <summary>Writes the model to a new uniquely named file in the temporary directory; the caller deletes it.</summary>
    /// <param name="spec">The model to write.</param>
    /// <param name="cancellationToken">Stops writing between tensors (the partial file is deleted).</param>
    /// <returns>The full path of the new file.</returns>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is invalid; the exception names the property.</exception>
    public static string WriteToTempFile(SyntheticModelSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var path = Path.Combine(Path.GetTempPath(), $"aruntime-synthetic-{Guid.NewGuid():N}.gguf");
        Write(spec, path, cancellationToken);
        return path;
    }

    private static void WriteValidated(SyntheticModelSpec spec, Stream destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var vocabulary = SyntheticVocabulary.Create(spec.ExtraVocabulary, spec.SpecialTokens);
        var tensors = SyntheticTensor.Layout(spec, Alignment);
        var metadata = Metadata(spec, vocabulary);

        var writer = new GgufStreamWriter(destination);
        writer.WriteUInt32(GgufMagic);
        writer.WriteUInt32(GgufVersion);
        writer.WriteUInt64((ulong)tensors.Count);
        writer.WriteUInt64((ulong)metadata.Count);
        foreach (var entry in metadata)
        {
            entry(writer);
        }

        foreach (var tensor in tensors)
        {
            writer.WriteString(tensor.Name);
            writer.WriteUInt32((uint)tensor.Dimensions.Length);
            foreach (var dimension in tensor.Dimensions)
            {
                writer.WriteUInt64((ulong)dimension);
            }

            writer.WriteUInt32((uint)tensor.Type);
            writer.WriteUInt64((ulong)tensor.Offset);
        }

        writer.PadTo(Alignment);
        var dataStart = writer.Position;
        foreach (var tensor in tensors)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.PadTo(Alignment);
            Debug.Assert(writer.Position - dataStart == tensor.Offset, "The tensor table and the data disagree on an offset.");
            WriteTensorData(writer, tensor, spec);
        }

        writer.Flush();
        destination.Flush();
    }

    private static List<Action<GgufStreamWriter>> Metadata(SyntheticModelSpec spec, SyntheticVocabulary vocabulary)
    {
        // Integer hyper-parameters are uint32 and floats float32: llama.cpp checks each key's stored type exactly.
        var entries = new List<Action<GgufStreamWriter>>
        {
            String("general.architecture", "llama"),
            String("general.name", spec.Name),
            String("general.description",
                "Synthetic Llama model with seeded random weights, written by ARuntime.Sdk.Testing; it is not trained."),
            UInt32("general.file_type", spec.WeightType == GgufTensorType.F16 ? 1u : 0u),
            UInt32("general.alignment", Alignment),
            UInt32("llama.context_length", (uint)spec.ContextLength),
            UInt32("llama.embedding_length", (uint)spec.EmbeddingLength),
            UInt32("llama.block_count", (uint)spec.Layers),
            UInt32("llama.feed_forward_length", (uint)spec.FeedForwardLength),
            UInt32("llama.rope.dimension_count", (uint)spec.HeadDimension),
            Float32("llama.rope.freq_base", RopeFrequencyBase),
            UInt32("llama.attention.head_count", (uint)spec.HeadCount),
            UInt32("llama.attention.head_count_kv", (uint)spec.KvHeadCount),
            Float32("llama.attention.layer_norm_rms_epsilon", RmsNormEpsilon),
            UInt32("llama.vocab_size", (uint)spec.VocabularySize),
            String("tokenizer.ggml.model", "llama"),
            writer =>
            {
                writer.WriteArrayHeader("tokenizer.ggml.tokens", GgufValueType.String, vocabulary.Tokens.Count);
                foreach (var token in vocabulary.Tokens)
                {
                    writer.WriteString(token);
                }
            },
            writer =>
            {
                writer.WriteArrayHeader("tokenizer.ggml.scores", GgufValueType.Float32, vocabulary.Scores.Count);
                foreach (var score in vocabulary.Scores)
                {
                    writer.WriteFloat32(score);
                }
            },
            writer =>
            {
                writer.WriteArrayHeader("tokenizer.ggml.token_type", GgufValueType.Int32, vocabulary.Types.Count);
                foreach (var type in vocabulary.Types)
                {
                    writer.WriteInt32(type);
                }
            },
            UInt32("tokenizer.ggml.unknown_token_id", SyntheticVocabulary.UnknownId),
            UInt32("tokenizer.ggml.bos_token_id", SyntheticVocabulary.BosId),
            UInt32("tokenizer.ggml.eos_token_id", SyntheticVocabulary.EosId),
            Bool("tokenizer.ggml.add_bos_token", true),
            Bool("tokenizer.ggml.add_eos_token", false),
        };

        if (spec.ChatTemplate is { } template)
        {
            entries.Add(String("tokenizer.chat_template", template));
        }

        return entries;

        static Action<GgufStreamWriter> String(string key, string value) => writer =>
        {
            writer.WriteKeyHeader(key, GgufValueType.String);
            writer.WriteString(value);
        };

        static Action<GgufStreamWriter> UInt32(string key, uint value) => writer =>
        {
            writer.WriteKeyHeader(key, GgufValueType.UInt32);
            writer.WriteUInt32(value);
        };

        static Action<GgufStreamWriter> Float32(string key, float value) => writer =>
        {
            writer.WriteKeyHeader(key, GgufValueType.Float32);
            writer.WriteFloat32(value);
        };

        static Action<GgufStreamWriter> Bool(string key, bool value) => writer =>
        {
            writer.WriteKeyHeader(key, GgufValueType.Bool);
            writer.WriteBool(value);
        };
    }

    private static void WriteTensorData(GgufStreamWriter writer, SyntheticTensor tensor, SyntheticModelSpec spec)
    {
        var random = new SeededRandom(spec.Seed, tensor.Name);
        var bytesPerElement = tensor.BytesPerElement;
        var chunkElements = GgufStreamWriter.MaxSpanSize / bytesPerElement;
        var rowLength = tensor.Dimensions[0];
        long firstNormalRow = SyntheticVocabulary.BuiltInCount;
        var endNormalRow = firstNormalRow + spec.ExtraVocabulary;
        long element = 0;
        var remaining = tensor.ElementCount;
        while (remaining > 0)
        {
            var count = (int)Math.Min(remaining, chunkElements);
            var span = writer.GetSpan(count * bytesPerElement);
            for (var i = 0; i < count; i++, element++)
            {
                float value;
                if (tensor.UniformBound == 0f)
                {
                    value = 1f;
                }
                else
                {
                    var bound = tensor.UniformBound;
                    if (tensor.IsOutputProjection)
                    {
                        var row = element / rowLength;
                        if (row < firstNormalRow || row >= endNormalRow)
                        {
                            bound *= SyntheticTensor.DampedRowScale;
                        }
                    }

                    value = random.NextSymmetric() * bound;
                }

                if (bytesPerElement == 2)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(span[(i * 2)..], (Half)value);
                }
                else
                {
                    BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], value);
                }
            }

            remaining -= count;
        }
    }
}
