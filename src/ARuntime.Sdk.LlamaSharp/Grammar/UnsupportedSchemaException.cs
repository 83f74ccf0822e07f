namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>
/// Thrown when a JSON Schema cannot be compiled to a grammar exactly: it uses a keyword the compiler does not support, a
/// keyword value is invalid, a pattern is outside the supported subset, or no JSON value can satisfy the schema. The
/// compiler never falls back to a looser grammar.
/// </summary>
public sealed class UnsupportedSchemaException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="UnsupportedSchemaException"/> class.</summary>
    public UnsupportedSchemaException()
        : base("The JSON Schema cannot be compiled to a grammar.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnsupportedSchemaException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    public UnsupportedSchemaException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnsupportedSchemaException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnsupportedSchemaException"/> class.</summary>
    /// <param name="keyword">The keyword at fault (empty when the schema as a whole is at fault).</param>
    /// <param name="jsonPointer">The JSON Pointer of the keyword within the schema document (empty for the root).</param>
    /// <param name="reason">What is wrong.</param>
    public UnsupportedSchemaException(string keyword, string jsonPointer, string reason)
        : base(Describe(keyword, jsonPointer, reason))
    {
        Keyword = keyword ?? string.Empty;
        JsonPointer = jsonPointer ?? string.Empty;
        Reason = reason ?? string.Empty;
    }

    /// <summary>Gets the keyword at fault, for example <c>not</c> or <c>pattern</c>; empty when the schema as a whole is at fault.</summary>
    public string Keyword { get; } = string.Empty;

    /// <summary>
    /// Gets the JSON Pointer (RFC 6901) of the offending keyword within the schema document, for example
    /// <c>/properties/name/pattern</c>; empty for the document root.
    /// </summary>
    public string JsonPointer { get; } = string.Empty;

    /// <summary>Gets the reason without the keyword and location.</summary>
    public string Reason { get; } = string.Empty;

    private static string Describe(string keyword, string jsonPointer, string reason)
    {
        var location = string.IsNullOrEmpty(jsonPointer) ? "the schema root" : $"'{jsonPointer}'";
        return string.IsNullOrEmpty(keyword)
            ? $"Cannot compile the JSON Schema to a grammar at {location}: {reason}"
            : $"Cannot compile the JSON Schema to a grammar: keyword '{keyword}' at {location}: {reason}";
    }
}
