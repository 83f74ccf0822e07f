using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Prompting;

namespace ARuntime.Sdk.LlamaSharp;

/// <summary>
/// Options of a <see cref="LlamaSharpEngine"/> (one per deployment). Validated at startup by
/// <see cref="LlamaSharpEngineOptionsValidator"/>; see docs/inference-engine.md for each option's trade-offs.
/// </summary>
public sealed class LlamaSharpEngineOptions
{
    /// <summary>The default <see cref="MaxContextSize"/> cap applied when <see cref="ContextSize"/> is not set.</summary>
    public const int DefaultContextCap = 4096;

    /// <summary>Gets or sets the path of the GGUF model file. Required.</summary>
    public string ModelPath { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the model id reported in metadata, results and evidence; <see langword="null"/> uses the file's
    /// <c>general.name</c> (or its file name).
    /// </summary>
    public string? ModelName { get; set; }

    /// <summary>Gets or sets the model version reported; <see langword="null"/> derives it from the file content (<c>sha256:…</c>).</summary>
    public string? ModelVersion { get; set; }

    /// <summary>
    /// Gets or sets how many layers are offloaded to the GPU. Default 0 (CPU only). With the CUDA backend
    /// (LLamaSharp.Backend.Cuda12) or Metal (LLamaSharp.Backend.Cpu on Apple silicon), set it to the model's layer count
    /// (or a large number such as 999) to offload everything that fits.
    /// </summary>
    public int GpuLayerCount { get; set; }

    /// <summary>Gets or sets the threads used for single-token decode steps; <see langword="null"/> uses every core.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Gets or sets the threads used for batches (prefill and batched decode); <see langword="null"/> uses every core.
    /// Batching gains little unless batches get all the cores.
    /// </summary>
    public int? BatchThreads { get; set; }

    /// <summary>
    /// Gets or sets the context size in tokens, shared by all concurrent sequences (a unified KV cache);
    /// <see langword="null"/> uses the model's trained context length capped at <see cref="MaxContextSize"/>.
    /// </summary>
    public int? ContextSize { get; set; }

    /// <summary>Gets or sets the cap on the automatic context size. Default <see cref="DefaultContextCap"/>.</summary>
    public int MaxContextSize { get; set; } = DefaultContextCap;

    /// <summary>Gets or sets the logical batch size (tokens submitted to one decode call). Default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Gets or sets the physical batch size (tokens computed at once). Default 512. One scheduler step never exceeds it,
    /// so an aborted step can always be retried cleanly.
    /// </summary>
    public int UBatchSize { get; set; } = 512;

    /// <summary>Gets or sets how many sequences decode together (continuous batching). Default 8.</summary>
    public int MaxSequences { get; set; } = 8;

    /// <summary>
    /// Gets or sets how many requests may wait for admission; one more is rejected with
    /// <see cref="Inference.InferenceFailureKind.Overloaded"/>. Default 64; 0 rejects whenever all sequences are busy.
    /// </summary>
    public int MaxQueueLength { get; set; } = 64;

    /// <summary>
    /// Gets or sets how long the idle engine keeps gathering requests that arrive one right after another before its
    /// first decode: each new arrival restarts the window, up to 8 windows. A burst of concurrent requests then shares one
    /// prefill instead of the first being prefilled alone while the rest wait a whole step. Default 200 microseconds (the
    /// most a lone request waits); <see cref="TimeSpan.Zero"/> starts at once. At most 10 ms.
    /// </summary>
    public TimeSpan AdmissionGatherWindow { get; set; } = TimeSpan.FromMicroseconds(200);

    /// <summary>Gets or sets the output token limit of requests that set none. Default 512.</summary>
    public int MaxOutputTokens { get; set; } = 512;

    /// <summary>Gets or sets the memory cap of saved prefix states in bytes; 0 disables the prefix cache. Default 256 MiB.</summary>
    public long PrefixCacheBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Gets or sets the shortest prefix (in tokens) worth caching and restoring. Default 32.</summary>
    public int PrefixCacheMinTokens { get; set; } = 32;

    /// <summary>
    /// Gets or sets whether llama.cpp uses flash attention. <see langword="null"/> (default): off when
    /// <see cref="GpuLayerCount"/> is 0 (on CPUs it made prefill slower and the short batch after a prefix-cache restore
    /// about 10x slower in our measurements, docs/performance.md), llama.cpp's own choice when layers run on a GPU.
    /// <see langword="true"/> or <see langword="false"/> forces it.
    /// </summary>
    public bool? FlashAttention { get; set; }

    /// <summary>Gets or sets whether the model file is memory-mapped (fast loads, pages shared with the OS cache). Default <see langword="true"/>.</summary>
    public bool UseMemoryMap { get; set; } = true;

    /// <summary>Gets or sets whether the weights are locked in RAM (mlock) so they are never paged out. Default <see langword="false"/>.</summary>
    public bool UseMemoryLock { get; set; }

    /// <summary>Gets or sets how conversations become prompt text. Default <see cref="PromptFormat.Auto"/>.</summary>
    public PromptFormat PromptFormat { get; set; } = PromptFormat.Auto;

    /// <summary>
    /// Gets or sets a chat template that replaces the model's own: the name of a llama.cpp built-in template (for example
    /// <c>chatml</c>, <c>llama3</c>, <c>mistral-v7</c>) or template text llama.cpp recognizes. <see langword="null"/> uses
    /// the model's <c>tokenizer.chat_template</c>.
    /// </summary>
    public string? ChatTemplate { get; set; }

    /// <summary>
    /// Gets or sets how JSON Schemas are compiled to output grammars (whitespace, number digits, string safety, cache size).
    /// Default <see cref="JsonSchemaGrammarOptions.Default"/>; see docs/structured-output.md.
    /// </summary>
    public JsonSchemaGrammarOptions GrammarOptions { get; set; } = JsonSchemaGrammarOptions.Default;

    /// <summary>Returns the context size to use for a model trained with <paramref name="trainedContextLength"/> tokens.</summary>
    /// <param name="trainedContextLength">The model's trained context length (0 when unknown).</param>
    /// <returns>The context size.</returns>
    internal int ResolveContextSize(int trainedContextLength) =>
        ContextSize ?? Math.Min(trainedContextLength > 0 ? trainedContextLength : MaxContextSize, MaxContextSize);
}
