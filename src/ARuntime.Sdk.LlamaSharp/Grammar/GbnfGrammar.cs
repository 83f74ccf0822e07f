using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>
/// A GBNF grammar (llama.cpp's grammar format) that has passed a managed well-formedness check. llama.cpp crashes the
/// process on some malformed grammars instead of reporting an error, so the engine only hands instances of this type to
/// the sampler: the constructor checks the text (syntax, escapes, defined rules, balanced groups, repetition limits, left
/// recursion, rules that can never finish) and throws <see cref="MalformedGrammarException"/> when anything is wrong.
/// </summary>
/// <remarks>Grammars compiled by <see cref="JsonSchemaGrammarCompiler"/> always pass the check.</remarks>
public sealed record GbnfGrammar
{
    /// <summary>Initializes a new instance of the <see cref="GbnfGrammar"/> class after checking the text.</summary>
    /// <param name="text">The GBNF text.</param>
    /// <param name="rootRule">The name of the start rule.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="MalformedGrammarException">The text is not a well-formed grammar llama.cpp can use safely.</exception>
    public GbnfGrammar(string text, string rootRule)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(rootRule);
        var problem = GbnfGrammarValidator.Validate(text, rootRule);
        if (problem is not null)
        {
            throw new MalformedGrammarException($"The GBNF grammar is malformed: {problem}");
        }

        Text = text;
        RootRule = rootRule;
    }

    /// <summary>Gets the GBNF text: one rule per line, <c>name ::= alternatives</c>.</summary>
    public string Text { get; }

    /// <summary>Gets the name of the start rule.</summary>
    public string RootRule { get; }

    /// <summary>Checks GBNF text without creating a grammar.</summary>
    /// <param name="text">The GBNF text.</param>
    /// <param name="rootRule">The name of the start rule.</param>
    /// <param name="problem">A description of the first problem found, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the text is a well-formed grammar.</returns>
    public static bool IsWellFormed(string text, string rootRule, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(rootRule);
        problem = GbnfGrammarValidator.Validate(text, rootRule);
        return problem is null;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
