namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>
/// The GGUF file ends before its declared content does (an interrupted download or copy): its header or metadata is cut
/// off, or its tensor data needs more bytes than the file has.
/// </summary>
public sealed class TruncatedModelFileException : ModelLoadException
{
    /// <summary>Initializes a new instance.</summary>
    public TruncatedModelFileException()
        : this("The model file is truncated.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public TruncatedModelFileException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TruncatedModelFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="modelPath">The file.</param>
    /// <param name="expectedBytes">The size the file's content requires, when known.</param>
    /// <param name="actualBytes">The file's size.</param>
    /// <param name="innerException">The cause.</param>
    public TruncatedModelFileException(string message, string? modelPath, long? expectedBytes, long actualBytes, Exception? innerException = null)
        : base(message, modelPath, innerException)
    {
        ExpectedBytes = expectedBytes;
        ActualBytes = actualBytes;
    }

    /// <summary>Gets the size in bytes the file's declared content requires, when it could be computed.</summary>
    public long? ExpectedBytes { get; }

    /// <summary>Gets the file's actual size in bytes.</summary>
    public long ActualBytes { get; }
}
