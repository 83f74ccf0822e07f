namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>The file is not a GGUF model (wrong magic number, unsupported GGUF version, or malformed metadata).</summary>
public sealed class InvalidModelFormatException : ModelLoadException
{
    /// <summary>Initializes a new instance.</summary>
    public InvalidModelFormatException()
        : this("The file is not a GGUF model.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public InvalidModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidModelFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="modelPath">The file.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidModelFormatException(string message, string? modelPath, Exception? innerException = null)
        : base(message, modelPath, innerException)
    {
    }
}
