using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>
/// Property tests over many seeded random schemas: compilation either gives a well-formed grammar or an
/// <see cref="UnsupportedSchemaException"/>, never anything else; and every string a compiled grammar produces is valid
/// against its schema.
/// </summary>
[TestFixture]
public sealed class JsonSchemaGrammarFuzzTests
{
    private const int SchemasPerBatch = 150;

    private static IEnumerable<int> Batches() => Enumerable.Range(0, 8);

    [TestCaseSource(nameof(Batches))]
    public void RandomSchemas_CompileToWellFormedExactGrammars_OrAreRejected(int batch)
    {
        var compiled = 0;
        var rejected = 0;
        for (var seed = batch * SchemasPerBatch; seed < (batch + 1) * SchemasPerBatch; seed++)
        {
            var schemaText = new RandomSchemaGenerator(seed).Generate().ToJsonString();
            var schema = TestSchemas.Parse(schemaText);
            CompiledSchema result;
            try
            {
                result = new JsonSchemaGrammarCompiler().CompileWithValidator(schema);
            }
            catch (UnsupportedSchemaException error)
            {
                Assert.That(error.Message, Is.Not.Empty);
                rejected++;
                continue;
            }
            catch (Exception error)
            {
                Assert.Fail($"seed {seed}: {error.GetType().Name}: {error.Message}\n{schemaText}\n{error.StackTrace}");
                return;
            }

            compiled++;
            Assert.That(GbnfGrammar.IsWellFormed(result.Grammar.Text, result.Grammar.RootRule, out var problem), Is.True, problem);
            var recognizer = new GbnfRecognizer(result.Grammar);
            Assert.That(Utf8SafetyCheck.Violations(recognizer.Parsed), Is.Empty, $"seed {seed}: byte-fallback invariant\n{schemaText}");
            for (var sample = 0; sample < 12; sample++)
            {
                var text = new GbnfRandomGenerator(recognizer.Parsed, (seed * 31) + sample, softLimit: 120).Generate();
                var validation = result.Validator.Validate(text);
                Assert.That(validation.IsValid, Is.True, $"seed {seed}, sample {sample}: {text}\n{string.Join("\n", validation.Errors)}\nschema: {schemaText}\n\n{result.Grammar.Text}");
            }
        }

        // Both outcomes must be exercised for the property to mean anything.
        Assert.Multiple(() =>
        {
            Assert.That(compiled, Is.GreaterThan(SchemasPerBatch / 4));
            Assert.That(rejected, Is.GreaterThan(0));
        });
    }
}
