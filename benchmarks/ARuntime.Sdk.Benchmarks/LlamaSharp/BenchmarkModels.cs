using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp;
using ARuntime.Sdk.LlamaSharp.Prompting;
using ARuntime.Sdk.Testing.Gguf;
using LLama;
using LLama.Common;
using LLama.Native;

namespace ARuntime.Sdk.Benchmarks.LlamaSharp;

/// <summary>Models, options and prompts shared by the llama.cpp benchmarks (synthetic models: reproducible anywhere).</summary>
internal static class BenchmarkModels
{
    /// <summary>
    /// Gets the threads every benchmark uses, for the SDK and the raw baselines alike: every core, or
    /// <c>ARUNTIME_BENCH_THREADS</c> (1 gives steadier figures on a machine shared with other work, where llama.cpp's
    /// spinning thread barriers stall whenever a core is taken away).
    /// </summary>
    public static int Threads { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("ARUNTIME_BENCH_THREADS"), out var threads) && threads > 0 ? threads : Environment.ProcessorCount;

    /// <summary>
    /// Gets the flash-attention setting both sides use: the engine's CPU default (off) unless <c>ARUNTIME_BENCH_FLASH</c>
    /// is <c>on</c> (or <c>auto</c>: llama.cpp decides). The raw baselines must not run with a different attention kernel.
    /// </summary>
    public static bool? Flash { get; } = Environment.GetEnvironmentVariable("ARUNTIME_BENCH_FLASH") switch
    {
        "on" => true,
        "auto" => null,
        _ => false,
    };

    /// <summary>Gets the ~5M-parameter synthetic model.</summary>
    public static string Small => TestModels.GetSynthetic(SyntheticModelSpec.Small);

    /// <summary>Gets the ~21M-parameter synthetic model.</summary>
    public static string Medium => TestModels.GetSynthetic(SyntheticModelSpec.Medium20M);

    /// <summary>Engine options with every knob the raw baselines also set.</summary>
    public static LlamaSharpEngineOptions EngineOptions(string path, int contextSize, int maxSequences, int maxTokens, long prefixCacheBytes = 0) => new()
    {
        ModelPath = path,
        ContextSize = contextSize,
        MaxSequences = maxSequences,
        MaxOutputTokens = maxTokens,
        PrefixCacheBytes = prefixCacheBytes,
        Threads = Threads,
        BatchThreads = Threads,
        MaxQueueLength = 64,
        FlashAttention = Flash,
    };

    /// <summary>LLamaSharp parameters equal to what the engine uses.</summary>
    public static ModelParams RawParameters(string path, int contextSize, uint sequences = 1) => new(path)
    {
        ContextSize = (uint)contextSize,
        GpuLayerCount = 0,
        LoadMode = LLamaLoadMode.MemoryMap,
        Threads = Threads,
        BatchThreads = Threads,
        BatchSize = 512,
        UBatchSize = 512,
        SeqMax = sequences,
        KVUnified = true,
        FlashAttention = Flash,
    };

    /// <summary>A greedy request.</summary>
    public static InferenceRequest Request(string user, int maxTokens, string? system = null, SamplingOptions? sampling = null) => new()
    {
        Messages = system is null ? [AgentMessage.User(user)] : [AgentMessage.System(system), AgentMessage.User(user)],
        MaxOutputTokens = maxTokens,
        Sampling = sampling ?? SamplingOptions.Greedy,
    };

    /// <summary>Renders a request exactly as the engine does for a model without a chat template (the fallback format).</summary>
    public static string Render(InferenceRequest request) =>
        new PromptBuilder(FallbackPromptTemplate.Instance, SpecialTokenGuard.None).Build(request).Text;

    /// <summary>Fails the setup when an operation would not produce exactly the tokens the comparison assumes.</summary>
    public static void RequireTokens(string what, int actual, int expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{what} generated {actual} tokens instead of {expected}; choose another prompt or seed so both sides do equal work.");
        }
    }

    /// <summary>Counts the tokens a raw StatelessExecutor run produces.</summary>
    public static async Task<int> RunStateless(StatelessExecutor executor, string prompt, int maxTokens, Func<LLama.Sampling.ISamplingPipeline> sampler)
    {
        var count = 0;
        await foreach (var _ in executor.InferAsync(prompt, new InferenceParams { MaxTokens = maxTokens, SamplingPipeline = sampler() }))
        {
            count++;
        }

        return count;
    }
}
