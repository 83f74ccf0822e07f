using System.Text.Json;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp;
using BenchmarkDotNet.Attributes;

namespace ARuntime.Sdk.Benchmarks.LlamaSharp;

/// <summary>
/// Constrained output: 64 tokens at temperature 1 (fixed seed) under a 6-property object schema against 64 unconstrained
/// tokens, same model and prompt. The schema's strings are long enough that 64 tokens never complete it, so both sides
/// generate exactly 64 tokens. Target: constrained tokens/s at least 0.8 of unconstrained (time ratio at most 1.25).
/// </summary>
[Config(typeof(LlamaBenchmarkConfig))]
public class ConstrainedOutputBenchmarks
{
    private const int Tokens = 64;

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string", "minLength": 40, "maxLength": 80 },
            "email": { "type": "string", "minLength": 40, "maxLength": 80 },
            "city": { "type": "string", "minLength": 40, "maxLength": 80 },
            "age": { "type": "integer", "minimum": 0, "maximum": 120 },
            "active": { "type": "boolean" },
            "notes": { "type": "string", "minLength": 40, "maxLength": 80 }
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
        var sampling = new SamplingOptions { Temperature = 1.0f, Seed = 42 };
        free = BenchmarkModels.Request("Describe a customer.", Tokens, sampling: sampling);
        using var schema = JsonDocument.Parse(Schema);
        constrained = free with { ResponseFormat = InferenceResponseFormat.ForJsonSchema(schema.RootElement.Clone(), "customer") };

        BenchmarkModels.RequireTokens("unconstrained", await Unconstrained(), Tokens);
        BenchmarkModels.RequireTokens("constrained", await Constrained(), Tokens);
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => engine.DisposeAsync();

    [Benchmark(Baseline = true, Description = "unconstrained, 64 tokens")]
    public async Task<int> Unconstrained() => (await engine.InferAsync(free)).Usage.GeneratedTokens;

    [Benchmark(Description = "6-property object schema, 64 tokens")]
    public async Task<int> Constrained() => (await engine.InferAsync(constrained)).Usage.GeneratedTokens;
}
