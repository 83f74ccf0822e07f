using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp;
using BenchmarkDotNet.Attributes;
using LLama;
using LLama.Sampling;

namespace ARuntime.Sdk.Benchmarks.LlamaSharp;

/// <summary>
/// Engine overhead: one greedy request of 128 tokens through <see cref="IInferenceEngine"/> (prompt rendering, admission,
/// the scheduler loop, streaming decoder, telemetry) against raw LLamaSharp <see cref="StatelessExecutor"/> on the same
/// model, prompt text, sampler and threads. Target: engine tokens/s at least 0.97 of raw (time ratio at most 1.03).
/// </summary>
[Config(typeof(LlamaBenchmarkConfig))]
public class EngineOverheadBenchmarks
{
    private const int Tokens = 128;
    private LlamaSharpEngine engine = null!;
    private LLamaWeights weights = null!;
    private StatelessExecutor executor = null!;
    private InferenceRequest request = null!;
    private string prompt = null!;

    // Each benchmark runs in its own process (LlamaBenchmarkConfig) and sets up only its own side, as an application would.
    [GlobalSetup(Target = nameof(Engine))]
    public async Task SetupEngine()
    {
        engine = new LlamaSharpEngine(BenchmarkModels.EngineOptions(BenchmarkModels.Small, 1024, maxSequences: 1, Tokens));
        await engine.LoadAsync();
        request = BenchmarkModels.Request("Once upon a time there was a little robot", Tokens);
        BenchmarkModels.RequireTokens("the engine", await Engine(), Tokens);
    }

    [GlobalSetup(Target = nameof(RawStatelessExecutor))]
    public async Task SetupRaw()
    {
        var path = BenchmarkModels.Small;
        prompt = BenchmarkModels.Render(BenchmarkModels.Request("Once upon a time there was a little robot", Tokens));
        weights = await LLamaWeights.LoadFromFileAsync(BenchmarkModels.RawParameters(path, 1024));
        executor = new StatelessExecutor(weights, BenchmarkModels.RawParameters(path, 1024));
        BenchmarkModels.RequireTokens("StatelessExecutor", await RawStatelessExecutor(), Tokens);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (engine is not null)
        {
            await engine.DisposeAsync();
        }

        weights?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw StatelessExecutor, 128 tokens")]
    public Task<int> RawStatelessExecutor() => BenchmarkModels.RunStateless(executor, prompt, Tokens, () => new GreedySamplingPipeline());

    [Benchmark(Description = "IInferenceEngine (LlamaSharpEngine), 128 tokens")]
    public async Task<int> Engine() => (await engine.InferAsync(request)).Usage.GeneratedTokens;
}
