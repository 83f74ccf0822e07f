using LlamaGrammar = LLama.Sampling.Grammar;

namespace ARuntime.Sdk.LlamaSharp.StructuredOutput;

/// <summary>
/// A compiled output constraint: the GBNF grammar the sampler enforces (always produced by the JSON Schema compiler,
/// never taken from a caller, because llama.cpp crashes on invalid GBNF) and the schema validator run on the finished
/// output (defence in depth).
/// </summary>
internal sealed class OutputConstraint
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="grammar">The grammar.</param>
    /// <param name="validate">Validates finished output: <see langword="null"/> when valid, else the first error.</param>
    public OutputConstraint(LlamaGrammar grammar, Func<string, string?> validate)
    {
        Grammar = grammar;
        Validate = validate;
    }

    /// <summary>Gets the grammar.</summary>
    public LlamaGrammar Grammar { get; }

    /// <summary>Gets the validator of finished output.</summary>
    public Func<string, string?> Validate { get; }
}
