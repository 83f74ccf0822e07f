namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>
/// llama.cpp's native library could not be loaded: the host references no LLamaSharp backend package
/// (<c>LLamaSharp.Backend.Cpu</c>, <c>LLamaSharp.Backend.Cuda12</c>, ...), or the one it references does not run on this
/// machine. The condition lasts for the life of the process.
/// </summary>
public sealed class NativeBackendUnavailableException : ModelLoadException
{
    /// <summary>Initializes a new instance.</summary>
    public NativeBackendUnavailableException()
        : this("The llama.cpp native library could not be loaded. Reference a LLamaSharp backend package in the host: LLamaSharp.Backend.Cpu (CPU; Metal on Apple silicon) or LLamaSharp.Backend.Cuda12 (NVIDIA GPUs).")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public NativeBackendUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public NativeBackendUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
