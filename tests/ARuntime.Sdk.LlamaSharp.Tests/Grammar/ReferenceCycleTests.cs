using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>Reference cycles that do not descend into a value are rejected before anything evaluates them.</summary>
[TestFixture]
public sealed class ReferenceCycleTests
{
    [TestCase("""{"allOf":[{"$ref":"#"}]}""", "$ref", "/allOf/0/$ref")]
    [TestCase("""{"$defs":{"a":{"anyOf":[{"$ref":"#/$defs/a"},{"type":"string"}]}},"$ref":"#/$defs/a"}""", "$ref", "/$defs/a/anyOf/0/$ref")]
    [TestCase("""{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"oneOf":[{"$ref":"#/$defs/a"}]}},"properties":{"p":{"$ref":"#/$defs/a"}}}""", "$ref", "/$defs/b/oneOf/0/$ref")]
    public void InPlaceCycle_IsRejected(string schema, string keyword, string pointer)
    {
        var error = TestSchemas.Unsupported(schema);

        Assert.Multiple(() =>
        {
            Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo((keyword, pointer)));
            Assert.That(error.Reason, Does.Contain("without descending into a property or an item"));
        });
    }

    [TestCase("""{"type":"array","items":{"$ref":"#"},"maxItems":1}""")]
    [TestCase("""{"$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}""")]
    [TestCase("""{"$defs":{"unused":{"$ref":"#/$defs/unused2"},"unused2":{"type":"string"}},"type":"boolean"}""")]
    public void RecursionThroughPropertiesOrItems_IsFine(string schema) =>
        Assert.That(() => TestSchemas.Compile(schema), Throws.Nothing);

    [Test]
    public void VeryLongReferenceChains_AreRejected()
    {
        var defs = string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"d{i}\":{{\"$ref\":\"#/$defs/d{i + 1}\"}}"));
        var schema = "{\"$defs\":{" + defs + ",\"d300\":{\"type\":\"string\"}},\"$ref\":\"#/$defs/d0\"}";

        Assert.That(TestSchemas.Unsupported(schema).Reason, Does.Contain("too deep"));
    }

    [Test]
    public void DeeplyNestedSchemas_AreRejectedBeforeExhaustingTheStack()
    {
        var schema = string.Concat(Enumerable.Repeat("{\"type\":\"array\",\"items\":", 400)) + "{}" + new string('}', 400);
        using var document = System.Text.Json.JsonDocument.Parse(schema, new System.Text.Json.JsonDocumentOptions { MaxDepth = 1000 });

        var error = Assert.Throws<ARuntime.Sdk.LlamaSharp.Grammar.UnsupportedSchemaException>(
            () => new ARuntime.Sdk.LlamaSharp.Grammar.JsonSchemaGrammarCompiler().Compile(document.RootElement));

        Assert.That(error!.Reason, Does.Contain("nested too deeply"));
    }
}
