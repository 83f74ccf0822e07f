using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>
/// For every schema file: every string the compiled grammar can produce (random walks of the grammar, with awkward
/// characters preferred) is valid JSON that JsonSchema.Net accepts. This checks exactness without a model.
/// </summary>
[TestFixture]
public sealed class CompiledGrammarExactnessTests
{
    private static IEnumerable<string> SchemaFiles() => TestSchemas.FileNames();

    [TestCaseSource(nameof(SchemaFiles))]
    public void EveryGeneratedString_ValidatesAgainstTheSchema(string file)
    {
        var schema = TestSchemas.Load(file);
        var compiled = new JsonSchemaGrammarCompiler().CompileWithValidator(schema);
        var recognizer = new GbnfRecognizer(compiled.Grammar);
        Assert.That(Utf8SafetyCheck.Violations(recognizer.Parsed), Is.Empty, "byte-fallback invariant");

        for (var seed = 0; seed < 200; seed++)
        {
            var text = new GbnfRandomGenerator(recognizer.Parsed, seed).Generate();
            var result = compiled.Validator.Validate(text);
            Assert.That(result.IsValid, Is.True, $"seed {seed}: {text}\n{string.Join("\n", result.Errors)}\n\n{compiled.Grammar.Text}");
            if (seed < 20)
            {
                Assert.That(recognizer.Matches(text), Is.True, $"the recognizer rejects its own output: {text}");
            }
        }
    }
}
