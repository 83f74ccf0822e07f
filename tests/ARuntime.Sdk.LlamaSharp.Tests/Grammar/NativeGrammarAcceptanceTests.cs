using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>
/// The managed check must never be more lenient than llama.cpp: every grammar it accepts — hand-written ones, every
/// schema file's grammar and the grammars of random schemas — is accepted by llama.cpp's own parser.
/// </summary>
[TestFixture]
public sealed class NativeGrammarAcceptanceTests
{
    private static readonly string[] HandWritten =
    [
        "root ::= \"a\"",
        "# comment\nroot ::= item+ # trailing\nitem ::= [a-z0-9\\x2D] | \"\\\\\" [\\x22\\u00e9\\U0001F600\\[\\]]\n",
        "root ::= \"a\" |",
        "root ::= ( \"a\"\n| \"b\" )",
        "root ::= x{0,1999}\nx ::= \"a\"",
        "root ::= ( [a]{0,50} ){0,39}",
        "root ::= ( \"x\" | \"y\"\n  | \"z\" )* [^\"\\\\]",
        "root ::= [a]{3} [b]{0,5} [c]{2,} [d]? [e]{1999}",
        "root ::= list\nlist ::= \"[\" ( item ( \",\" item )* )? \"]\"\nitem ::= [0-9] | list",
        "root ::= \"\" | \"a\"",
        "root ::= [^\\x00-\\x1F\"\\\\\\uD800-\\uDFFF\\U00110000-\\U7FFFFFFF]",
    ];

    [Test]
    public void HandWrittenGrammars_AcceptedByTheCheck_AreAcceptedByLlamaCpp()
    {
        var weights = GrammarTestModel.Get(GrammarTestModel.Synthetic);
        foreach (var text in HandWritten)
        {
            Assert.That(GbnfGrammar.IsWellFormed(text, "root", out var problem), Is.True, problem);
            Assert.That(NativeGrammarProbe.Accepts(weights, text, "root"), Is.True, text);
        }
    }

    [Test]
    public void LlamaCppRejectsWhatTheCheckRejects_ForSafelyDetectableErrors()
    {
        // Only errors llama.cpp reports cleanly; the point of the check is the ones it does not.
        var weights = GrammarTestModel.Get(GrammarTestModel.Synthetic);
        foreach (var text in new[]
        {
            "root ::= undefined-rule", "root ::= ( \"a\"", "root ::= root \"a\"", "root ::= [a]{2001}", "root ::= [a]{2000}",
            "root ::= [a\\-z]", "root ::= ( [a]{0,50} ){0,40}", "root ::= (x){0,1000}\nx ::= \"a\"", "root ::= \"a\"{,3}",
            "root ::= x\nx ::= \"\" | x \"a\"",
        })
        {
            Assert.That(GbnfGrammar.IsWellFormed(text, "root", out _), Is.False, text);
            Assert.That(NativeGrammarProbe.Accepts(weights, text, "root"), Is.False, text);
        }
    }

    [Test]
    public void SchemaFileGrammars_AreAcceptedByLlamaCpp()
    {
        var weights = GrammarTestModel.Get(GrammarTestModel.Synthetic);
        foreach (var name in TestSchemas.FileNames())
        {
            var grammar = new JsonSchemaGrammarCompiler().Compile(TestSchemas.Load(name));
            Assert.That(NativeGrammarProbe.Accepts(weights, grammar.Text, grammar.RootRule), Is.True, name);
        }
    }

    [Test]
    public void RandomSchemaGrammars_AreAcceptedByLlamaCpp()
    {
        var weights = GrammarTestModel.Get(GrammarTestModel.Synthetic);
        var checkedCount = 0;
        for (var seed = 0; seed < 400; seed++)
        {
            var schema = TestSchemas.Parse(new RandomSchemaGenerator(seed).Generate().ToJsonString());
            if (!new JsonSchemaGrammarCompiler().TryCompile(schema, out var grammar, out _))
            {
                continue;
            }

            checkedCount++;
            Assert.That(NativeGrammarProbe.Accepts(weights, grammar.Text, grammar.RootRule), Is.True, $"seed {seed}\n{grammar.Text}");
        }

        Assert.That(checkedCount, Is.GreaterThan(100));
    }

    [Test]
    public void LargeBoundGrammars_AreAcceptedByLlamaCpp()
    {
        var weights = GrammarTestModel.Get(GrammarTestModel.Synthetic);
        foreach (var schema in new[]
        {
            """{"type":"string","maxLength":100000}""",
            """{"type":"string","minLength":2500,"maxLength":7000}""",
            """{"type":"array","items":{"type":"integer"},"minItems":1500,"maxItems":3000000}""",
            """{"type":"string","pattern":"^(ab){3,5000}$"}""",
        })
        {
            var grammar = TestSchemas.Compile(schema);
            Assert.That(NativeGrammarProbe.Accepts(weights, grammar.Text, grammar.RootRule), Is.True, schema);
        }
    }
}
