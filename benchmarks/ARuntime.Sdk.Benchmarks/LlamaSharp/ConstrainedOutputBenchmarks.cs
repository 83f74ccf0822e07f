using System.Text.Json;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp;
using BenchmarkDotNet.Attributes;

namespace ARuntime.Sdk.Benchmarks.LlamaSharp;

/// <summary>
/// Constrained output: 64 tokens at temperature 1 under a 6-property object schema (strings without length bounds, an
/// integer range, a boolean, like most tool schemas) against 64 unconstrained tokens, same model and prompt. The setup
/// picks a seed for which neither side stops before 64 tokens, so both generate exactly 64. Target: constrained tokens/s
/// at least 0.8 of unconstrained (time ratio at most 1.25).
/// </summary>
[Config(typeof(LlamaBenchmarkConfig))]
public class ConstrainedOutputBenchmarks
{
    private const int Tokens = 64;

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string" },
            "email": { "type": "string" },
            "city": { "type": "string" },
            "age": { "type": "integer", "minimum": 0, "maximum": 120 },
            "active": { "type": "boolean" },
            "notes": { "type": "string" }
          },
          "required": ["name", "email", "city", "age", "active", "notes"],
          "additionalProperties": false
        }
        """;

    private LlamaSharpEngine engine = null!;
    private InferenceRequest free = null!;
    private InferenceRequest constrained = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        engine = new LlamaSharpEngine(BenchmarkModels.EngineOptions(BenchmarkModels.Small, 1024, maxSequences: 1, Tokens));
        await engine.LoadAsync();
        using var schema = JsonDocument.Parse(Schema);
        for (uint seed = 1; seed <= 200; seed++)
        {
            free = BenchmarkModels.Request("Describe a customer.", Tokens, sampling: new SamplingOptions { Temperature = 1.0f, Seed = seed });
            constrained = free with { ResponseFormat = InferenceResponseFormat.ForJsonSchema(schema.RootElement.Clone(), "customer") };
            if (await Unconstrained() == Tokens && await Constrained() == Tokens)
            {
                return;
            }
        }

        throw new InvalidOperationException("No seed in 1..200 generates 64 tokens on both sides.");
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => engine.DisposeAsync();

    [Benchmark(Baseline = true, Description = "unconstrained, 64 tokens")]
    public async Task<int> Unconstrained() => (await engine.InferAsync(free)).Usage.GeneratedTokens;

    [Benchmark(Description = "6-property object schema, 64 tokens")]
    public async Task<int> Constrained() => (await engine.InferAsync(constrained)).Usage.GeneratedTokens;
}
