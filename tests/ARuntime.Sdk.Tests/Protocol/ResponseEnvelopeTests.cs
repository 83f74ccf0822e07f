using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Protocol;
using ARuntime.Sdk.Validation;

namespace ARuntime.Sdk.Tests.Protocol;

/// <summary>The reply envelope is a JSON Schema that admits exactly the protocol's replies.</summary>
public sealed class ResponseEnvelopeTests
{
    private static ToolDescriptor Tool(string name, string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return new ToolDescriptor { Name = name, InputSchema = document.RootElement.Clone(), PermissionClass = "p", SideEffect = SideEffectClass.Read };
    }

    private static bool Valid(InferenceResponseFormat format, string reply)
    {
        using var document = JsonDocument.Parse(reply);
        return JsonSchemaValidator.Shared.Validate(format.Schema!.Value, document.RootElement).IsValid;
    }

    [Test]
    public void Without_tools_or_an_output_contract_the_reply_is_free_text()
    {
        Assert.That(ResponseEnvelope.Build([], null).Kind, Is.EqualTo(ResponseFormatKind.Text));
    }

    [Test]
    public void The_envelope_admits_a_call_to_an_offered_tool_with_schema_valid_arguments_or_an_answer_and_nothing_else()
    {
        var format = ResponseEnvelope.Build([Tool("lookup", """{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}""")], null);

        Assert.Multiple(() =>
        {
            Assert.That(format.Kind, Is.EqualTo(ResponseFormatKind.JsonSchema));
            Assert.That(Valid(format, """{"tool":"lookup","arguments":{"id":"A-1"}}"""), Is.True);
            Assert.That(Valid(format, """{"answer":"done"}"""), Is.True);
            Assert.That(Valid(format, """{"tool":"delete_all","arguments":{}}"""), Is.False, "an unoffered tool");
            Assert.That(Valid(format, """{"tool":"lookup","arguments":{"id":7}}"""), Is.False, "arguments violating the tool schema");
            Assert.That(Valid(format, """{"tool":"lookup","arguments":{"id":"A"},"answer":"x"}"""), Is.False, "both at once");
        });
    }

    [Test]
    public void Tool_schemas_with_their_own_definitions_keep_working_inside_the_envelope()
    {
        var format = ResponseEnvelope.Build(
            [Tool("order", """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"line":{"$ref":"#/$defs/line"}},"required":["line"],"$defs":{"line":{"type":"object","properties":{"qty":{"type":"integer","minimum":1}},"required":["qty"]}}}""")],
            null);

        Assert.Multiple(() =>
        {
            Assert.That(Valid(format, """{"tool":"order","arguments":{"line":{"qty":2}}}"""), Is.True);
            Assert.That(Valid(format, """{"tool":"order","arguments":{"line":{"qty":0}}}"""), Is.False, "the nested $ref is still enforced");
            Assert.That(format.Schema!.Value.GetRawText(), Does.Not.Contain("\"$schema\""), "embedded schemas must not re-root the document");
        });
    }

    [Test]
    public void An_output_contract_constrains_the_answer()
    {
        var contract = OutputContract.FromJson("""{"type":"object","properties":{"total":{"type":"number"}},"required":["total"]}""");
        var format = ResponseEnvelope.Build([], contract);

        Assert.Multiple(() =>
        {
            Assert.That(Valid(format, """{"answer":{"total":4.5}}"""), Is.True);
            Assert.That(Valid(format, """{"answer":"4.5"}"""), Is.False);
        });
    }

    [Test]
    public void Anchors_and_ref_keys_inside_data_keywords_are_left_as_they_are()
    {
        var format = ResponseEnvelope.Build(
            [Tool("tag", """{"type":"object","properties":{"kind":{"$ref":"#kind"},"raw":{"const":{"$ref":"#/not/a/pointer"}}},"required":["kind","raw"],"$defs":{"k":{"$anchor":"kind","enum":["a","b"]}}}""")],
            null);

        var text = format.Schema!.Value.GetRawText();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("\"$ref\":\"#kind\""), "a plain-name anchor resolves in the combined document");
            Assert.That(text, Does.Contain("#/not/a/pointer"), "a $ref inside const is data, not a reference");
            Assert.That(Valid(format, """{"tool":"tag","arguments":{"kind":"a","raw":{"$ref":"#/not/a/pointer"}}}"""), Is.True);
            Assert.That(Valid(format, """{"tool":"tag","arguments":{"kind":"c","raw":{"$ref":"#/not/a/pointer"}}}"""), Is.False, "the anchor still resolves");
        });
    }
}
