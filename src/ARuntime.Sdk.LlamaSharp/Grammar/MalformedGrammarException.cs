namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>
/// Thrown when GBNF text is not a grammar llama.cpp can use safely (see <see cref="GbnfGrammar"/>). Such text never reaches
/// llama.cpp, whose parser would crash the process on some of these inputs.
/// </summary>
public sealed class MalformedGrammarException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="MalformedGrammarException"/> class.</summary>
    public MalformedGrammarException()
        : base("The GBNF grammar is malformed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MalformedGrammarException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    public MalformedGrammarException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MalformedGrammarException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MalformedGrammarException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
