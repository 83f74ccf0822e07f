using System.Text.Json;
using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>The tool-call union: compiles, and every generated call carries arguments valid for that tool.</summary>
[TestFixture]
public sealed class ToolCallUnionSchemaTests
{
    // Both tools use the same $defs name and an anchor of the same name: rebasing must keep them apart.
    private const string Weather = """
        {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:tools:weather","type":"object",
         "properties":{"place":{"$ref":"#/$defs/place"},"unit":{"$ref":"urn:tools:weather#unit"}},
         "required":["place"],"additionalProperties":false,
         "$defs":{"place":{"type":"string","minLength":1,"maxLength":12},"u":{"$anchor":"unit","enum":["C","F"]}}}
        """;

    private const string Search = """
        {"type":"object","properties":{"q":{"$ref":"#/$defs/place"},"filters":{"type":"array","items":{"$ref":"#unit"},"maxItems":2},
         "ref-in-data":{"const":{"$ref":"#/not/a/ref"}}},
         "required":["q","ref-in-data"],"additionalProperties":false,
         "$defs":{"place":{"type":"integer","minimum":0,"maximum":9},"u":{"$anchor":"unit","const":"exact"}}}
        """;

    private static JsonElement Union(bool withAnswer = true) => ToolCallUnionSchema.Build(
        [("get_weather", TestSchemas.Parse(Weather)), ("search", TestSchemas.Parse(Search))],
        withAnswer ? TestSchemas.Parse("""{"type":"string","maxLength":20}""") : null);

    [Test]
    public void Union_Compiles_AndAcceptsEachShape()
    {
        var recognizer = new GbnfRecognizer(new JsonSchemaGrammarCompiler().Compile(Union()));

        Assert.Multiple(() =>
        {
            Assert.That(recognizer.Matches("""{"tool":"get_weather","arguments":{"place":"Oslo","unit":"C"}}"""), Is.True);
            Assert.That(recognizer.Matches("""{"tool":"search","arguments":{"q":7,"filters":["exact"],"ref-in-data":{"$ref":"#/not/a/ref"}}}"""), Is.True);
            Assert.That(recognizer.Matches("""{"answer":"done"}"""), Is.True);
            Assert.That(recognizer.Matches("""{"tool":"search","arguments":{"q":"Oslo","ref-in-data":{"$ref":"#/not/a/ref"}}}"""), Is.False);
            Assert.That(recognizer.Matches("""{"tool":"get_weather","arguments":{"place":"Oslo","unit":"exact"}}"""), Is.False);
        });
    }

    [Test]
    public void EveryGeneratedCall_HasArgumentsValidForThatTool()
    {
        var compiled = new JsonSchemaGrammarCompiler().CompileWithValidator(Union());
        var recognizer = new GbnfRecognizer(compiled.Grammar);
        var toolValidators = new Dictionary<string, SchemaValidator>
        {
            ["get_weather"] = SchemaValidator.Create(TestSchemas.Parse(Weather)),
            ["search"] = SchemaValidator.Create(TestSchemas.Parse(Search)),
        };

        var seen = new HashSet<string>();
        for (var seed = 0; seed < 300; seed++)
        {
            var text = new GbnfRandomGenerator(recognizer.Parsed, seed).Generate();
            Assert.That(compiled.Validator.Validate(text).IsValid, Is.True, text);
            using var output = JsonDocument.Parse(text);
            if (output.RootElement.TryGetProperty("tool", out var tool))
            {
                seen.Add(tool.GetString()!);
                var arguments = output.RootElement.GetProperty("arguments");
                Assert.That(toolValidators[tool.GetString()!].Validate(arguments).IsValid, Is.True, text);
            }
            else
            {
                seen.Add("answer");
            }
        }

        Assert.That(seen, Is.EquivalentTo(new[] { "get_weather", "search", "answer" }));
    }

    [Test]
    public void WithoutAnAnswerSchema_OnlyToolCallsAreGenerated() =>
        Assert.That(new GbnfRecognizer(new JsonSchemaGrammarCompiler().Compile(Union(withAnswer: false))).Matches("""{"answer":"x"}"""), Is.False);

    [Test]
    public void DuplicateToolNames_AreRejected() =>
        Assert.Throws<ArgumentException>(() => ToolCallUnionSchema.Build(
            [("a", TestSchemas.Parse("{}")), ("a", TestSchemas.Parse("{}"))], null));

    [Test]
    public void OtherDrafts_AreRejectedRatherThanReinterpreted()
    {
        var error = Assert.Throws<ArgumentException>(() => ToolCallUnionSchema.Build(
            [("old", TestSchemas.Parse("""{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}"""))], null));

        Assert.That(error!.Message, Does.Contain("tool 'old'"));
    }

    [Test]
    public void NothingToChooseFrom_IsRejected() =>
        Assert.Throws<ArgumentException>(() => ToolCallUnionSchema.Build([], null));
}
