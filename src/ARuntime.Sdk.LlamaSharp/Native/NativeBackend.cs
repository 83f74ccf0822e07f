using LLama.Native;
using ARuntime.Sdk.LlamaSharp.Loading;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.LlamaSharp.Native;

/// <summary>
/// Configures llama.cpp's native library before the first native call (log callback to ILogger, never stderr) and turns a
/// missing or unloadable backend into <see cref="NativeBackendUnavailableException"/> naming the backend packages.
/// </summary>
internal static class NativeBackend
{
    /// <summary>The message of <see cref="NativeBackendUnavailableException"/>.</summary>
    public const string MissingBackendMessage =
        "The llama.cpp native library could not be loaded. The host must reference exactly one LLamaSharp backend package of the LLamaSharp version in use: " +
        "LLamaSharp.Backend.Cpu (CPU on Windows, Linux and macOS; Metal on Apple silicon) or LLamaSharp.Backend.Cuda12 (NVIDIA GPUs, CUDA 12). " +
        "See docs/inference-engine.md, 'Backends'.";

    private static readonly Lock Gate = new();
    private static bool logConfigured;
    private static Exception? failure;
    private static bool available;

    /// <summary>Routes the native log to <paramref name="logger"/> and makes sure the native library loads.</summary>
    /// <param name="logger">The logger of the native log.</param>
    /// <exception cref="NativeBackendUnavailableException">The native library cannot be loaded.</exception>
    public static void EnsureAvailable(ILogger logger)
    {
        NativeLog.SetLogger(logger);
        lock (Gate)
        {
            if (available)
            {
                return;
            }

            if (failure is not null)
            {
                throw new NativeBackendUnavailableException(MissingBackendMessage, failure);
            }

            try
            {
                if (!logConfigured)
                {
                    // Before the library loads this only records the callback (so llama.cpp never writes to stderr);
                    // after a host's own earlier native call it installs it directly.
                    NativeLogConfig.llama_log_set(NativeLog.Callback);
                    logConfigured = true;
                }

                // Forces the native library to load (and so the backend selection) now, where a failure is typed.
                NativeApi.llama_empty_call();
                available = true;
            }
            catch (Exception ex) when (IsBackendFailure(ex))
            {
                failure = ex;
                throw new NativeBackendUnavailableException(MissingBackendMessage, ex);
            }
        }
    }

    /// <summary>Classifies an exception from the first native call as "backend unavailable".</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>Whether it means the native library could not be loaded.</returns>
    internal static bool IsBackendFailure(Exception exception) => exception switch
    {
        TypeInitializationException => true,
        DllNotFoundException => true,
        EntryPointNotFoundException => true,
        BadImageFormatException => true,
        LLama.Exceptions.RuntimeError => true,
        _ => false,
    };
}
