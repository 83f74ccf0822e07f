using System.Text.Json;
using ARuntime.Sdk.Validation;

namespace ARuntime.Sdk.Tests.Validation;

/// <summary>
/// The runtime's JSON Schema validator: 2020-12 unless the schema says otherwise, and schemas whose evaluation would
/// recurse forever (a stack overflow ends the process) are refused with a clear error before anything evaluates them.
/// </summary>
public sealed class JsonSchemaValidatorTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static string Refused(string schema)
    {
        var validator = new JsonSchemaValidator();
        Assert.That(validator.TryPrepare(Json(schema), out var error), Is.False);
        var thrown = Assert.Throws<ArgumentException>(() => validator.Validate(Json(schema), Json("1")));
        Assert.That(thrown!.Message, Does.StartWith("Invalid JSON Schema"));
        return error!;
    }

    [TestCase("""{"allOf":[{"$ref":"#"}]}""")]
    [TestCase("""{"type":"object","anyOf":[{"$ref":"#"}]}""")]
    [TestCase("""{"$defs":{"a":{"oneOf":[{"$ref":"#/$defs/b"}]},"b":{"not":{"$ref":"#/$defs/a"}}},"$ref":"#/$defs/a"}""")]
    [TestCase("""{"$defs":{"a":{"if":{"$ref":"#/$defs/a"}}},"$ref":"#/$defs/a"}""")]
    [TestCase("""{"$defs":{"a":{"$anchor":"loop","dependentSchemas":{"x":{"$ref":"#loop"}}}},"$ref":"#/$defs/a"}""")]
    [TestCase("""{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}""")]
    public void A_loop_that_stays_on_the_same_value_is_refused(string schema) =>
        Assert.That(Refused(schema), Does.Contain("recurse forever"));

    [Test]
    public void A_chain_of_same_value_applicators_too_deep_to_evaluate_safely_is_refused()
    {
        var defs = string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"d{i}\":{{\"allOf\":[{{\"$ref\":\"#/$defs/d{i + 1}\"}}]}}"));
        var schema = "{\"$defs\":{" + defs + ",\"d300\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/d0\"}";
        Assert.That(Refused(schema), Does.Contain("more than"));
    }

    [TestCase("https://example.com/person.json", "does not point into this schema document")]
    [TestCase("#/$defs/missing", "does not point into this schema document")]
    [TestCase("#nowhere", "does not point into this schema document")]
    public void A_reference_outside_the_document_is_refused(string reference, string message) =>
        Assert.That(Refused($$"""{"$ref":"{{reference}}"}"""), Does.Contain(message));

    [Test]
    public void Recursion_that_descends_into_the_value_is_allowed_and_validates_every_level()
    {
        const string List = """{"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"next":{"$ref":"#/$defs/node"}},"required":["value"]}},"$ref":"#/$defs/node"}""";
        var validator = new JsonSchemaValidator();

        Assert.Multiple(() =>
        {
            Assert.That(validator.Validate(Json(List), Json("""{"value":1,"next":{"value":2,"next":{"value":3}}}""")).IsValid, Is.True);
            var invalid = validator.Validate(Json(List), Json("""{"value":1,"next":{"value":2,"next":{"value":"three"}}}"""));
            Assert.That(invalid.IsValid, Is.False);
            Assert.That(invalid.Errors, Has.Some.Contains("/next/next/value"));
        });
    }

    [Test]
    public void An_embedded_resource_can_be_referred_to_by_its_id()
    {
        const string Schema = """{"$defs":{"p":{"$id":"person","type":"object","required":["name"]}},"$ref":"person"}""";
        var validator = new JsonSchemaValidator();

        Assert.Multiple(() =>
        {
            Assert.That(validator.Validate(Json(Schema), Json("""{"name":"Ada"}""")).IsValid, Is.True);
            Assert.That(validator.Validate(Json(Schema), Json("{}")).IsValid, Is.False);
        });
    }

    [Test]
    public void Without_a_dialect_the_schema_is_read_as_2020_12_which_allows_extension_keywords()
    {
        // JsonSchema.Net's own default (its v1 dialect) refuses unknown keywords such as the x- annotations tool authors use.
        var validator = new JsonSchemaValidator();
        const string Schema = """{"type":"object","x-ui":{"widget":"text"},"properties":{"q":{"type":"string"}},"prefixItems":[]}""";

        Assert.Multiple(() =>
        {
            Assert.That(validator.TryPrepare(Json(Schema), out var error), Is.True, error);
            Assert.That(validator.Validate(Json(Schema), Json("""{"q":"x"}""")).IsValid, Is.True);
            Assert.That(validator.Validate(Json(Schema), Json("""{"q":1}""")).IsValid, Is.False);
        });
    }

    [Test]
    public void A_schema_that_names_draft_7_is_evaluated_as_draft_7()
    {
        // Array-form "items" is a tuple in draft 7 (and not a keyword of 2020-12).
        const string Schema = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"array","items":[{"type":"string"}]}""";
        var validator = new JsonSchemaValidator();

        Assert.Multiple(() =>
        {
            Assert.That(validator.Validate(Json(Schema), Json("""["a", 1]""")).IsValid, Is.True);
            Assert.That(validator.Validate(Json(Schema), Json("[1]")).IsValid, Is.False);
        });
    }
}
