using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>
/// A model could not be loaded. The base of the typed load errors (<see cref="ModelFileNotFoundException"/>,
/// <see cref="InvalidModelFormatException"/>, <see cref="TruncatedModelFileException"/>,
/// <see cref="UnsupportedModelArchitectureException"/>, <see cref="NativeBackendUnavailableException"/>); it is an
/// <see cref="InferenceException"/> of kind <see cref="InferenceFailureKind.ModelUnavailable"/>, so the runtime can route
/// around a deployment whose model is unusable.
/// </summary>
public class ModelLoadException : InferenceException
{
    /// <summary>Initializes a new instance.</summary>
    public ModelLoadException()
        : this("The model could not be loaded.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public ModelLoadException(string message)
        : this(message, null, null)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelLoadException(string message, Exception? innerException)
        : this(message, null, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="modelPath">The model file.</param>
    /// <param name="innerException">The cause.</param>
    public ModelLoadException(string message, string? modelPath, Exception? innerException = null)
        : base(InferenceFailureKind.ModelUnavailable, message, innerException)
    {
        ModelPath = modelPath;
    }

    /// <summary>Gets the model file that could not be loaded, if known.</summary>
    public string? ModelPath { get; }
}
