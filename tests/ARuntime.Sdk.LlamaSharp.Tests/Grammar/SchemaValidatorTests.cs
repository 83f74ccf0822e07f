using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>The validator behind constrained output (defence in depth).</summary>
[TestFixture]
public sealed class SchemaValidatorTests
{
    private static SchemaValidator Validator(string schema) => SchemaValidator.Create(TestSchemas.Parse(schema));

    [Test]
    public void ValidOutput_IsValid() =>
        Assert.That(Validator("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}""").Validate("""{"a":1}""").IsValid, Is.True);

    [Test]
    public void InvalidOutput_ReportsWhereAndWhy()
    {
        var result = Validator("""{"type":"object","properties":{"a":{"type":"integer","maximum":3}},"required":["a"]}""").Validate("""{"a":9}""");

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Errors, Has.Some.Contains("/a").And.Some.Contains("maximum"));
        });
    }

    [TestCase("""{"a":1""")]
    [TestCase("""{"a":1,}""")]
    [TestCase("""{"a":1} // comment""")]
    [TestCase("""{"a":1,"a":2}""")]
    [TestCase("")]
    public void MalformedOrAmbiguousJson_IsInvalid(string output)
    {
        var result = Validator("""{"type":"object"}""").Validate(output);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Errors, Has.Some.Contains("not valid JSON"));
        });
    }

    [TestCase("date", "\"2023-02-29\"")]
    [TestCase("uuid", "\"not-a-uuid\"")]
    [TestCase("ipv4", "\"1.2.3\"")]
    [TestCase("date-time", "\"2024-01-01\"")]
    public void Formats_AreAsserted(string format, string value) =>
        Assert.That(Validator("{\"format\":\"" + format + "\"}").Validate(value).IsValid, Is.False);

    [Test]
    public void DialectFollowsSchemaKeyword()
    {
        // Draft 7 ignores siblings of $ref; 2020-12 applies them.
        const string siblings = """{"$defs":{"s":{"type":"string"}},"$ref":"#/$defs/s","maxLength":1}""";

        Assert.Multiple(() =>
        {
            Assert.That(Validator(siblings).Validate("\"ab\"").IsValid, Is.False);
            Assert.That(Validator("""{"$schema":"http://json-schema.org/draft-07/schema#",""" + siblings[1..]).Validate("\"ab\"").IsValid, Is.True);
        });
    }

    [Test]
    public void SchemasThatWouldRecurseForever_AreRejectedInsteadOfOverflowingTheStack()
    {
        var error = Assert.Throws<UnsupportedSchemaException>(() =>
            Validator("""{"$defs":{"a":{"anyOf":[{"$ref":"#/$defs/a"},{"type":"string"}]}},"$ref":"#/$defs/a"}"""));

        Assert.That(error!.Reason, Does.Contain("recurse forever"));
    }

    [Test]
    public void UnloadableSchema_IsAnUnsupportedSchemaError() =>
        Assert.Throws<UnsupportedSchemaException>(() => Validator("""{"type":"string","minLength":-1}"""));

    [Test]
    public void ValidatorsAreIndependentOfEachOther()
    {
        // Same $id in two schemas: each validator keeps its own registry.
        var first = Validator("""{"$id":"https://example.com/s","type":"string"}""");
        var second = Validator("""{"$id":"https://example.com/s","type":"integer"}""");

        Assert.Multiple(() =>
        {
            Assert.That(first.Validate("\"x\"").IsValid, Is.True);
            Assert.That(second.Validate("1").IsValid, Is.True);
            Assert.That(second.Validate("\"x\"").IsValid, Is.False);
        });
    }
}
