using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Order;
using LLama;
using LLama.Batched;
using LLama.Native;
using LLama.Sampling;

namespace ARuntime.Sdk.Benchmarks.LlamaSharp;

/// <summary>
/// Continuous batching on the ~21M-parameter synthetic model: the same 8 greedy requests of 32 tokens each, run
/// (a) one after another through raw <see cref="StatelessExecutor"/> (the baseline), (b) through a minimal hand-written raw
/// <see cref="BatchedExecutor"/> loop over all 8, and (c) through the SDK with 1, 2, 4 and 8 concurrent sequences.
/// Targets: SDK with 8 at least 3x the sequential baseline's aggregate tokens/s, and at least 0.95 of the raw batched loop
/// (run just before and again just after the SDK with 8, so the machine's drift between methods is visible).
/// </summary>
[Config(typeof(LlamaBenchmarkConfig))]
[Orderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared)]
public class BatchingBenchmarks
{
    private const int Requests = 8;
    private const int Tokens = 32;
    private const int Context = 2048;

    private static readonly string[] Users =
    [
        "Once upon a time", "The little dog ran to the park", "Tom and Sue found a big red ball", "One day the sun",
        "The bird sang a song", "Lily wanted to play", "A boat on the sea", "The old tree in the garden",
    ];

    private readonly Dictionary<int, LlamaSharpEngine> engines = [];
    private InferenceRequest[] requests = null!;
    private string[] prompts = null!;
    private LLamaWeights weights = null!;
    private StatelessExecutor stateless = null!;
    private BatchedExecutor batched = null!;

    // Each benchmark runs in its own process (LlamaBenchmarkConfig) and sets up only its own side, as an application would.
    [GlobalSetup(Targets = [nameof(Sdk_8_Concurrent), nameof(Sdk_4_Concurrent), nameof(Sdk_2_Concurrent), nameof(Sdk_1_Concurrent)])]
    public async Task SetupSdk()
    {
        foreach (var sequences in new[] { 1, 2, 4, 8 })
        {
            var engine = new LlamaSharpEngine(BenchmarkModels.EngineOptions(BenchmarkModels.Medium, Context, sequences, Tokens));
            await engine.LoadAsync();
            engines[sequences] = engine;
        }

        requests = Users.Select(u => BenchmarkModels.Request(u, Tokens)).ToArray();
        BenchmarkModels.RequireTokens("the SDK", await Sdk_8_Concurrent(), Requests * Tokens);
    }

    [GlobalSetup(Targets = [nameof(Raw_Sequential_StatelessExecutor), nameof(Raw_BatchedExecutor_8), nameof(Raw_BatchedExecutor_8_Again)])]
    public async Task SetupRaw()
    {
        var path = BenchmarkModels.Medium;
        prompts = Users.Select(u => BenchmarkModels.Render(BenchmarkModels.Request(u, Tokens))).ToArray();
        weights = await LLamaWeights.LoadFromFileAsync(BenchmarkModels.RawParameters(path, Context, Requests));
        stateless = new StatelessExecutor(weights, BenchmarkModels.RawParameters(path, 512));
        batched = new BatchedExecutor(weights, BenchmarkModels.RawParameters(path, Context, Requests));
        BenchmarkModels.RequireTokens("the sequential baseline", await Raw_Sequential_StatelessExecutor(), Requests * Tokens);
        BenchmarkModels.RequireTokens("the raw batched loop", await Raw_BatchedExecutor_8(), Requests * Tokens);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var engine in engines.Values)
        {
            await engine.DisposeAsync();
        }

        batched?.Dispose();
        weights?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw StatelessExecutor, 8 sequential")]
    public async Task<int> Raw_Sequential_StatelessExecutor()
    {
        var total = 0;
        foreach (var prompt in prompts)
        {
            total += await BenchmarkModels.RunStateless(stateless, prompt, Tokens, () => new GreedySamplingPipeline());
        }

        return total;
    }

    [Benchmark(Description = "raw BatchedExecutor loop, 8 together")]
    public async Task<int> Raw_BatchedExecutor_8()
    {
        // The minimal correct loop: prompt all, then decode one batch per step and sample every conversation.
        var conversations = prompts.Select(p =>
        {
            var conversation = batched.Create();
            conversation.Prompt(batched.Context.Tokenize(p, true, true));
            return (Conversation: conversation, Sampler: new GreedySamplingPipeline(), Count: 0);
        }).ToList();

        var total = 0;
        while (conversations.Count > 0)
        {
            if (await batched.Infer() != DecodeResult.Ok)
            {
                throw new InvalidOperationException("decode failed");
            }

            for (var i = conversations.Count - 1; i >= 0; i--)
            {
                var (conversation, sampler, count) = conversations[i];
                var token = conversation.Sample(sampler);
                total++;
                if (count + 1 == Tokens || token.IsEndOfGeneration(weights.Vocab))
                {
                    conversation.Dispose();
                    sampler.Dispose();
                    conversations.RemoveAt(i);
                    continue;
                }

                conversation.Prompt(token);
                conversations[i] = (conversation, sampler, count + 1);
            }
        }

        return total;
    }

    // Declared (and so run) right after the raw batched loop it is compared with: BenchmarkDotNet measures methods one
    // after another, and this VM's speed drifts by 10-40% over minutes, so the two must be adjacent.
    [Benchmark(Description = "SDK, 8 sequences")]
    public Task<int> Sdk_8_Concurrent() => RunSdk(8);

    // The raw loop again, after the SDK: the SDK's figure is compared with the two raw runs around it, which shows how far
    // the machine drifted while they ran.
    [Benchmark(Description = "raw BatchedExecutor loop, 8 together, again")]
    public Task<int> Raw_BatchedExecutor_8_Again() => Raw_BatchedExecutor_8();

    [Benchmark(Description = "SDK, 4 sequences")]
    public Task<int> Sdk_4_Concurrent() => RunSdk(4);

    [Benchmark(Description = "SDK, 2 sequences")]
    public Task<int> Sdk_2_Concurrent() => RunSdk(2);

    [Benchmark(Description = "SDK, 1 sequence")]
    public Task<int> Sdk_1_Concurrent() => RunSdk(1);

    private async Task<int> RunSdk(int sequences)
    {
        var engine = engines[sequences];
        var results = await Task.WhenAll(requests.Select(r => engine.InferAsync(r)));
        return results.Sum(r => r.Usage.GeneratedTokens);
    }
}
