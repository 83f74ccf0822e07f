using System.Globalization;
using System.Text;
using ARuntime.Sdk.LlamaSharp;
using BenchmarkDotNet.Attributes;

namespace ARuntime.Sdk.Benchmarks.LlamaSharp;

/// <summary>
/// Prefix cache: time to first token (one generated token) for a request whose prompt starts with a 1,000-token system
/// prompt, on an engine whose prefix cache holds that system prompt (hit) against one without a cache (miss). Every
/// operation asks a new question, so only the system prompt is shared. Target: hit at most 0.1 of miss. Run with the
/// engine's default (flash attention off on CPU) and with flash attention forced on, which makes the short batch that
/// follows a restore much more expensive on CPUs.
/// </summary>
[Config(typeof(LlamaBenchmarkConfig))]
public class PrefixCacheBenchmarks
{
    private const int PrefixTokens = 1000;
    private LlamaSharpEngine cold = null!;
    private LlamaSharpEngine warm = null!;
    private string system = null!;
    private int question;

    /// <summary>Gets or sets the flash-attention setting: <c>default</c> (the engine's choice) or <c>on</c>.</summary>
    [Params("default", "on")]
    public string FlashAttention { get; set; } = "default";

    [GlobalSetup]
    public async Task Setup()
    {
        var path = BenchmarkModels.Small;
        bool? flash = FlashAttention == "on" ? true : null;
        var coldOptions = BenchmarkModels.EngineOptions(path, 2048, maxSequences: 1, maxTokens: 1);
        coldOptions.FlashAttention = flash;
        var warmOptions = BenchmarkModels.EngineOptions(path, 2048, maxSequences: 1, maxTokens: 1, prefixCacheBytes: 256L * 1024 * 1024);
        warmOptions.FlashAttention = flash;
        cold = new LlamaSharpEngine(coldOptions);
        warm = new LlamaSharpEngine(warmOptions);
        await cold.LoadAsync();
        await warm.LoadAsync();

        var builder = new StringBuilder("You are the support assistant of a shop. Policies follow.\n");
        for (var i = 1; cold.CountTokens(builder.ToString()) < PrefixTokens; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"Rule {i}: be kind, answer briefly, and check the order number before any refund.\n");
        }

        system = builder.ToString();
        var first = await warm.InferAsync(BenchmarkModels.Request("Warm-up question.", 1, system));
        var hit = await warm.InferAsync(BenchmarkModels.Request("Check question.", 1, system));
        if (first.Usage.PromptTokens < PrefixTokens || hit.Usage.CachedPromptTokens < PrefixTokens - 50)
        {
            throw new InvalidOperationException($"Setup failed: prompt {first.Usage.PromptTokens} tokens, cached {hit.Usage.CachedPromptTokens}.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await cold.DisposeAsync();
        await warm.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "miss: prefill 1,000-token prefix")]
    public async Task<int> Miss() => (await cold.InferAsync(NextRequest())).Usage.CachedPromptTokens;

    [Benchmark(Description = "hit: restore 1,000-token prefix")]
    public async Task<int> Hit() => (await warm.InferAsync(NextRequest())).Usage.CachedPromptTokens;

    private Sdk.Inference.InferenceRequest NextRequest() =>
        BenchmarkModels.Request(string.Create(CultureInfo.InvariantCulture, $"Question {++question}: where is my parcel?"), 1, system);
}
