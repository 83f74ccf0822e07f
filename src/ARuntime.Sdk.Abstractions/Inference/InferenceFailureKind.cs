namespace ARuntime.Sdk.Inference;

/// <summary>Why an engine could not serve a request.</summary>
public enum InferenceFailureKind
{
    /// <summary>The engine failed (native error, decode failure).</summary>
    EngineError = 0,

    /// <summary>The engine's queue is full; the runtime may route to another deployment.</summary>
    Overloaded = 1,

    /// <summary>The prompt does not fit the model's context window.</summary>
    ContextOverflow = 2,

    /// <summary>The model is not loaded or cannot be loaded.</summary>
    ModelUnavailable = 3,

    /// <summary>The request asks for something the engine cannot do (for example an unsupported schema keyword).</summary>
    UnsupportedRequest = 4,

    /// <summary>The engine did not answer in time (for remote engines: the transport timed out).</summary>
    Timeout = 5,
}
