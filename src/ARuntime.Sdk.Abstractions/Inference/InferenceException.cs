namespace ARuntime.Sdk.Inference;

/// <summary>An engine could not serve a request. <see cref="Kind"/> says why; the message never contains prompt text.</summary>
public class InferenceException : Exception
{
    /// <summary>Initializes a new instance with <see cref="InferenceFailureKind.EngineError"/>.</summary>
    public InferenceException()
        : this(InferenceFailureKind.EngineError, "The inference engine failed.")
    {
    }

    /// <summary>Initializes a new instance with <see cref="InferenceFailureKind.EngineError"/>.</summary>
    /// <param name="message">The message.</param>
    public InferenceException(string message)
        : this(InferenceFailureKind.EngineError, message)
    {
    }

    /// <summary>Initializes a new instance with <see cref="InferenceFailureKind.EngineError"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InferenceException(string message, Exception? innerException)
        : this(InferenceFailureKind.EngineError, message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kind">Why the engine could not serve the request.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InferenceException(InferenceFailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Gets why the engine could not serve the request.</summary>
    public InferenceFailureKind Kind { get; }

    /// <summary>Gets whether trying again (here or on another deployment) may succeed.</summary>
    public bool IsTransient => Kind is InferenceFailureKind.Overloaded or InferenceFailureKind.Timeout or InferenceFailureKind.EngineError;
}
