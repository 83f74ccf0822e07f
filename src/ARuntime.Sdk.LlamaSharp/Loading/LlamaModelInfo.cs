using System.Globalization;

namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>
/// What a GGUF model file declares, read from its metadata without loading the weights: architecture, size, context
/// length, chat template, name and a content-derived version. The engine records the name and version in every inference
/// result and evidence record.
/// </summary>
public sealed record LlamaModelInfo
{
    /// <summary>Gets the model file's full path.</summary>
    public required string Path { get; init; }

    /// <summary>Gets the model name: <c>general.name</c>, or the file name without extension when the file has none.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the architecture (<c>general.architecture</c>, for example <c>llama</c>).</summary>
    public required string Architecture { get; init; }

    /// <summary>Gets the content-derived version (see docs/inference-engine.md): <c>sha256:</c> plus 16 hex digits, or <c>sha256-sampled:</c> for files over 1 GiB.</summary>
    public required string Version { get; init; }

    /// <summary>Gets the number of parameters (the element count of every tensor, as llama.cpp counts them).</summary>
    public long ParameterCount { get; init; }

    /// <summary>Gets the context length the model was trained with (<c>{architecture}.context_length</c>), or 0 when not declared.</summary>
    public int TrainedContextLength { get; init; }

    /// <summary>Gets the hidden size (<c>{architecture}.embedding_length</c>), when declared.</summary>
    public int? EmbeddingLength { get; init; }

    /// <summary>Gets the number of transformer blocks (<c>{architecture}.block_count</c>), when declared.</summary>
    public int? LayerCount { get; init; }

    /// <summary>Gets the number of attention heads, when declared.</summary>
    public int? HeadCount { get; init; }

    /// <summary>Gets the number of key/value heads, when declared.</summary>
    public int? KvHeadCount { get; init; }

    /// <summary>Gets the vocabulary size (the length of <c>tokenizer.ggml.tokens</c>), or 0 when not declared.</summary>
    public int VocabularySize { get; init; }

    /// <summary>Gets the chat template (<c>tokenizer.chat_template</c>), or <see langword="null"/> for a model without one (a base model).</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Gets the file size in bytes.</summary>
    public long FileSizeBytes { get; init; }

    /// <summary>Gets the GGUF format version.</summary>
    public int GgufVersion { get; init; }

    /// <summary>Gets the scalar metadata values as invariant text (arrays summarized as <c>[Type x Length]</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads a model file's metadata and computes its version, without loading the weights.</summary>
    /// <param name="path">The GGUF file.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The model information.</returns>
    /// <exception cref="ModelFileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidModelFormatException">The file is not GGUF.</exception>
    /// <exception cref="TruncatedModelFileException">The file is truncated.</exception>
    public static async Task<LlamaModelInfo> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        var gguf = await Task.Run(() => GgufReader.Read(fullPath), cancellationToken).ConfigureAwait(false);
        var version = await ModelFingerprint.ComputeAsync(fullPath, cancellationToken).ConfigureAwait(false);
        return FromGguf(fullPath, gguf, version);
    }

    /// <summary>Builds the information from a read GGUF header.</summary>
    /// <param name="path">The full path.</param>
    /// <param name="gguf">The header.</param>
    /// <param name="version">The content-derived version.</param>
    /// <returns>The information.</returns>
    /// <exception cref="InvalidModelFormatException">The file declares no architecture.</exception>
    internal static LlamaModelInfo FromGguf(string path, GgufFileInfo gguf, string version)
    {
        var architecture = gguf.Architecture;
        if (string.IsNullOrWhiteSpace(architecture))
        {
            throw new InvalidModelFormatException($"The file '{path}' is GGUF but declares no model architecture (general.architecture).", path);
        }

        var name = gguf.GetString("general.name");
        return new LlamaModelInfo
        {
            Path = path,
            Name = string.IsNullOrWhiteSpace(name) ? System.IO.Path.GetFileNameWithoutExtension(path) : name,
            Architecture = architecture,
            Version = version,
            ParameterCount = gguf.ParameterCount,
            TrainedContextLength = ToInt(gguf.GetInteger($"{architecture}.context_length")) ?? 0,
            EmbeddingLength = ToInt(gguf.GetInteger($"{architecture}.embedding_length")),
            LayerCount = ToInt(gguf.GetInteger($"{architecture}.block_count")),
            HeadCount = ToInt(gguf.GetInteger($"{architecture}.attention.head_count")),
            KvHeadCount = ToInt(gguf.GetInteger($"{architecture}.attention.head_count_kv")),
            VocabularySize = ToInt(gguf.GetArrayLength("tokenizer.ggml.tokens")) ?? 0,
            ChatTemplate = gguf.GetString("tokenizer.chat_template") is { Length: > 0 } template ? template : null,
            FileSizeBytes = gguf.FileLength,
            GgufVersion = (int)gguf.Version,
            Metadata = gguf.Metadata.ToDictionary(kv => kv.Key, kv => GgufFileInfo.Format(kv.Value), StringComparer.Ordinal),
        };
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name} ({Architecture}, {ParameterCount:N0} parameters, context {TrainedContextLength}, {Version})");

    private static int? ToInt(long? value) => value is >= 0 and <= int.MaxValue ? (int)value : null;
}
