using System.Text.Json;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Grammar;

namespace ARuntime.Sdk.LlamaSharp.StructuredOutput;

/// <summary>
/// Compiles a response schema into an <see cref="OutputConstraint"/> with <see cref="JsonSchemaGrammarCompiler"/>: the
/// GBNF grammar (checked for well-formedness by the compiler, so only compiler-produced grammars ever reach llama.cpp,
/// which crashes on invalid GBNF) and the schema's validator.
/// </summary>
internal sealed class ConstraintCompiler
{
    private readonly JsonSchemaGrammarCompiler compiler;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The compiler options.</param>
    public ConstraintCompiler(JsonSchemaGrammarOptions options)
    {
        compiler = new JsonSchemaGrammarCompiler(options);
    }

    /// <summary>Compiles <paramref name="schema"/>.</summary>
    /// <param name="schema">The JSON Schema.</param>
    /// <returns>The constraint.</returns>
    /// <exception cref="InferenceException">The schema uses something the compiler does not support (<see cref="InferenceFailureKind.UnsupportedRequest"/>).</exception>
    public OutputConstraint Compile(JsonElement schema)
    {
        CompiledSchema compiled;
        try
        {
            compiled = compiler.CompileWithValidator(schema);
        }
        catch (UnsupportedSchemaException ex)
        {
            throw new InferenceException(
                InferenceFailureKind.UnsupportedRequest,
                "The response schema cannot be enforced as a grammar: " + ex.Message,
                ex);
        }

        var validator = compiled.Validator;
        return new OutputConstraint(
            new LLama.Sampling.Grammar(compiled.Grammar.Text, compiled.Grammar.RootRule),
            text =>
            {
                var result = validator.Validate(text);
                return result.IsValid ? null : string.Join("; ", result.Errors.Take(3));
            });
    }
}
