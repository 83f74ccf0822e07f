namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>The model file does not exist (or is not readable as a file).</summary>
public sealed class ModelFileNotFoundException : ModelLoadException
{
    /// <summary>Initializes a new instance.</summary>
    public ModelFileNotFoundException()
        : this("The model file was not found.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public ModelFileNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelFileNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="modelPath">The missing file.</param>
    /// <param name="innerException">The cause.</param>
    public ModelFileNotFoundException(string message, string? modelPath, Exception? innerException = null)
        : base(message, modelPath, innerException)
    {
    }
}
