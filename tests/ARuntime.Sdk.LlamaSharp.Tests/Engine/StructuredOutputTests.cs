using System.Text.Json;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;
using Json.Schema;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

/// <summary>
/// Every tool call and contracted answer is schema-valid by construction, on real llama.cpp sampling at temperature 1,
/// through the engine (the grammar compiler's own tests cover the compiler; this runs its schema files end to end).
/// </summary>
public sealed class StructuredOutputTests
{
    private const int Seeds = 6;

    private static IEnumerable<TestCaseData> SchemaCases() =>
        TestSchemas.FileNames().SelectMany(name => TestEngines.Models.Select(model =>
            new TestCaseData(name, model.Arguments[0]).SetArgDisplayNames(name, (string)model.Arguments[0]!)));

    [Test]
    public void TheSchemaSetIsLargeEnough() => Assert.That(TestSchemas.FileNames().Count(), Is.GreaterThanOrEqualTo(25));

    [TestCaseSource(nameof(SchemaCases))]
    public async Task GeneratedOutput_ValidatesAgainstTheSchema_AtTemperatureOne(string schemaName, string model)
    {
        var schema = TestSchemas.Load(schemaName);
        var validator = JsonSchema.FromText(schema.GetRawText());
        await using var engine = TestEngines.Create(TestEngines.Resolve(model), o => o.MaxOutputTokens = 400);
        var results = new List<InferenceResult>();

        for (uint seed = 1; seed <= Seeds; seed++)
        {
            var request = TestEngines.Request("Reply with JSON.", maxTokens: 400, sampling: new SamplingOptions { Temperature = 1.0f, Seed = seed }) with
            {
                ResponseFormat = InferenceResponseFormat.ForJsonSchema(schema, schemaName),
            };
            results.Add(await engine.InferAsync(request));
        }

        Assert.Multiple(() =>
        {
            foreach (var result in results)
            {
                Assert.That(result.StopReason, Is.EqualTo(StopReason.SchemaComplete), result.Text);
                Assert.That(Validate(validator, result.Text), Is.Empty, result.Text);
            }
        });
        TestContext.Out.WriteLine(string.Join("\n", results.Select(r => $"{r.Usage.GeneratedTokens,4} {r.Text}")));
    }

    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task Streaming_NeverSplitsAMultiByteCharacter(string model)
    {
        const string Text = "héllo wörld, 5€ für 中文 ñ";
        using var schema = JsonDocument.Parse(JsonSerializer.Serialize(new { @enum = new[] { Text } }));
        await using var engine = TestEngines.Create(TestEngines.Resolve(model));
        var request = TestEngines.Request("Say it.", maxTokens: 100) with { ResponseFormat = InferenceResponseFormat.ForJsonSchema(schema.RootElement) };
        var deltas = new List<string>();
        InferenceResult? result = null;

        await foreach (var update in engine.InferStreamingAsync(request))
        {
            deltas.Add(update.Text);
            result = update.Result ?? result;
        }

        Assert.Multiple(() =>
        {
            Assert.That(result!.StopReason, Is.EqualTo(StopReason.SchemaComplete));
            Assert.That(JsonSerializer.Deserialize<string>(result.Text), Is.EqualTo(Text));
            Assert.That(string.Concat(deltas), Is.EqualTo(result.Text));
            Assert.That(deltas, Has.None.Contains('\uFFFD'), "no replacement characters from half-decoded UTF-8");
            Assert.That(deltas.Where(d => d.Length > 0).All(d => !char.IsHighSurrogate(d[^1])), Is.True, "no delta ends inside a surrogate pair");
        });
    }

    [Test]
    public async Task UnsupportedSchema_GivesUnsupportedRequest()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"a":{"not":{"type":"string"}}}}""");
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var request = TestEngines.Request("x") with { ResponseFormat = InferenceResponseFormat.ForJsonSchema(schema.RootElement) };

        var error = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(request));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Kind, Is.EqualTo(InferenceFailureKind.UnsupportedRequest));
            Assert.That(error.Message, Does.Contain("not"));
        });
    }

    [Test]
    public async Task UndefinedSchema_GivesUnsupportedRequest()
    {
        // default(JsonElement): for example a schema field of a host's own type that was never set.
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var request = TestEngines.Request("x") with { ResponseFormat = InferenceResponseFormat.ForJsonSchema(default) };

        var error = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(request));

        Assert.That(error!.Kind, Is.EqualTo(InferenceFailureKind.UnsupportedRequest));
    }

    [Test]
    public async Task OutputTruncatedByMaxTokens_KeepsMaxTokensAndIsNotSchemaComplete()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"story":{"type":"string","minLength":200,"maxLength":300}},"required":["story"]}""");
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var request = TestEngines.Request("x", maxTokens: 10) with { ResponseFormat = InferenceResponseFormat.ForJsonSchema(schema.RootElement) };

        var result = await engine.InferAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StopReason.MaxTokens));
            Assert.That(result.Usage.GeneratedTokens, Is.EqualTo(10));
            Assert.That(() => JsonDocument.Parse(result.Text), Throws.InstanceOf<JsonException>(), "a truncated output is not valid JSON");
        });
    }

    [Test]
    public async Task CompiledSchemas_AreCachedAcrossRequests()
    {
        var schema = TestSchemas.Load(TestSchemas.FileNames().First());
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var request = TestEngines.Request("x", maxTokens: 200) with { ResponseFormat = InferenceResponseFormat.ForJsonSchema(schema) };

        await engine.InferAsync(request);
        await engine.InferAsync(request);

        Assert.That(engine.GetStatistics().CompiledSchemas, Is.EqualTo(1));
    }

    // An independent check (JsonSchema.Net directly), not the engine's own validator.
    private static IEnumerable<string> Validate(JsonSchema schema, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return ["not JSON: " + ex.Message];
        }

        using (document)
        {
            var evaluation = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            return evaluation.IsValid
                ? []
                : (evaluation.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Values).DefaultIfEmpty("invalid").ToList();
        }
    }
}
