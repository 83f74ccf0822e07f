using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>
/// Faults a test makes the scheduler meet, at the points where llama.cpp fails in production (a decode, creating a
/// context). Never set outside tests; each callback runs on the scheduler loop and simulates a failure by throwing.
/// </summary>
internal sealed class SchedulerFaults
{
    /// <summary>
    /// Gets or sets what runs just before each decode: a result it returns is reported instead of decoding (a failure
    /// code such as <see cref="DecodeResult.DecodeFailed"/>), and an exception it throws escapes the decode; <see langword="null"/>
    /// decodes.
    /// </summary>
    public Func<DecodeResult?>? BeforeDecode { get; set; }

    /// <summary>
    /// Gets or sets what runs before each llama.cpp context is created (at load and at every rebuild); a
    /// <see cref="LLama.Exceptions.RuntimeError"/> it throws is llama.cpp refusing to create the context.
    /// </summary>
    public Action? BeforeCreateContext { get; set; }
}
