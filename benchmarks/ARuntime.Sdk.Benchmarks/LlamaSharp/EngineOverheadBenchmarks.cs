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

    [GlobalSetup]
    public async Task Setup()
    {
        var path = BenchmarkModels.Small;
        engine = new LlamaSharpEngine(BenchmarkModels.EngineOptions(path, 1024, maxSequences: 1, Tokens));
        await engine.LoadAsync();
        request = BenchmarkModels.Request("Once upon a time there was a little robot", Tokens);
        prompt = BenchmarkModels.Render(request);
        weights = await LLamaWeights.LoadFromFileAsync(BenchmarkModels.RawParameters(path, 1024));
        executor = new StatelessExecutor(weights, BenchmarkModels.RawParameters(path, 1024));

        BenchmarkModels.RequireTokens("the engine", await Engine(), Tokens);
        BenchmarkModels.RequireTokens("StatelessExecutor", await RawStatelessExecutor(), Tokens);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await engine.DisposeAsync();
        weights.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw StatelessExecutor, 128 tokens")]
    public Task<int> RawStatelessExecutor() => BenchmarkModels.RunStateless(executor, prompt, Tokens, () => new GreedySamplingPipeline());

    [Benchmark(Description = "IInferenceEngine (LlamaSharpEngine), 128 tokens")]
    public async Task<int> Engine() => (await engine.InferAsync(request)).Usage.GeneratedTokens;
}
