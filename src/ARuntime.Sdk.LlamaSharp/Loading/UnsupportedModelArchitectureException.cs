namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>The GGUF file is well formed but declares a model architecture the loaded llama.cpp build does not implement.</summary>
public sealed class UnsupportedModelArchitectureException : ModelLoadException
{
    /// <summary>Initializes a new instance.</summary>
    public UnsupportedModelArchitectureException()
        : this("The model architecture is not supported by this llama.cpp build.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public UnsupportedModelArchitectureException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedModelArchitectureException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="modelPath">The file.</param>
    /// <param name="architecture">The architecture the file declares (<c>general.architecture</c>).</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedModelArchitectureException(string message, string? modelPath, string? architecture, Exception? innerException = null)
        : base(message, modelPath, innerException)
    {
        Architecture = architecture;
    }

    /// <summary>Gets the architecture the file declares.</summary>
    public string? Architecture { get; }
}
