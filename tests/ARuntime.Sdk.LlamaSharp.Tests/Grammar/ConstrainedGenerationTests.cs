using System.Text;
using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>
/// Real llama.cpp sampling with compiled grammars: every schema file, several seeds, temperature 1.0 without
/// truncation. Every output must end by itself, be valid UTF-8 and JSON, and validate against its schema with
/// JsonSchema.Net. Runs on stories260K when present and always on the synthetic Tiny model.
/// </summary>
[TestFixture]
public sealed class ConstrainedGenerationTests
{
    private static readonly uint[] Seeds = [1, 2, 3];

    private static IEnumerable<TestCaseData> Cases() =>
        from model in GrammarTestModel.Kinds
        from schema in TestSchemas.FileNames()
        select new TestCaseData(model, schema).SetName($"Generate_{model}_{schema}");

    [TestCaseSource(nameof(Cases))]
    public void EveryOutput_IsValidJsonThatSatisfiesTheSchema(string model, string schemaFile)
    {
        var weights = GrammarTestModel.Get(model);
        var compiled = new JsonSchemaGrammarCompiler().CompileWithValidator(TestSchemas.Load(schemaFile));
        var recognizer = new GbnfRecognizer(compiled.Grammar);
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        foreach (var seed in Seeds)
        {
            var output = ConstrainedSampler.Generate(weights, compiled.Grammar, seed);
            Assert.That(output.Finished, Is.True, $"seed {seed}: generation did not end within the token limit: {Encoding.UTF8.GetString(output.Bytes)}");

            string text;
            try
            {
                text = strict.GetString(output.Bytes);
            }
            catch (DecoderFallbackException)
            {
                Assert.Fail($"seed {seed}: the output is not valid UTF-8: {Convert.ToHexString(output.Bytes)}");
                return;
            }

            var validation = compiled.Validator.Validate(text);
            Assert.Multiple(() =>
            {
                Assert.That(validation.IsValid, Is.True, $"seed {seed}: {text}\n{string.Join("\n", validation.Errors)}");
                Assert.That(recognizer.Matches(text), Is.True, $"seed {seed}: the output does not match the grammar: {text}");
            });
        }
    }

    [TestCase(GrammarTestModel.Stories260K)]
    [TestCase(GrammarTestModel.Synthetic)]
    public void SameSeed_GivesTheSameOutput(string model)
    {
        var weights = GrammarTestModel.Get(model);
        var grammar = new JsonSchemaGrammarCompiler().Compile(TestSchemas.Load("01-person"));

        var first = ConstrainedSampler.Generate(weights, grammar, seed: 42);
        var second = ConstrainedSampler.Generate(weights, grammar, seed: 42);

        Assert.That(second.Bytes, Is.EqualTo(first.Bytes));
    }

    [TestCase(GrammarTestModel.Stories260K)]
    [TestCase(GrammarTestModel.Synthetic)]
    public void AdversarialCharacterClasses_StillGiveValidUtf8(string model)
    {
        // Classes mixing U+0080-U+07FF with U+0800-U+0FFF are where byte-fallback tokens could spell overlong UTF-8.
        var weights = GrammarTestModel.Get(model);
        var compiled = new JsonSchemaGrammarCompiler().CompileWithValidator(
            TestSchemas.Parse("""{"type":"string","pattern":"^[\\u00a0-\\u0fff]{1,24}$"}"""));
        var strict = new UTF8Encoding(false, true);

        for (uint seed = 1; seed <= 12; seed++)
        {
            var output = ConstrainedSampler.Generate(weights, compiled.Grammar, seed);
            Assert.That(output.Finished, Is.True);
            Assert.That(() => strict.GetString(output.Bytes), Throws.Nothing, $"seed {seed}: {Convert.ToHexString(output.Bytes)}");
            Assert.That(compiled.Validator.Validate(strict.GetString(output.Bytes)).IsValid, Is.True);
        }
    }
}
