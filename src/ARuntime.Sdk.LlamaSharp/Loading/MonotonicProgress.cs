using System.Runtime.ExceptionServices;

namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>
/// Maps llama.cpp's load progress (0..1, reported on the loading thread) into a sub-range of the caller's
/// <see cref="IProgress{T}"/>, forwarding only increases so the caller sees a monotonic sequence.
/// </summary>
internal sealed class MonotonicProgress : IProgress<float>
{
    private readonly IProgress<double>? target;
    private readonly Lock gate = new();
    private double last = -1;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="target">The caller's reporter, or <see langword="null"/>.</param>
    public MonotonicProgress(IProgress<double>? target)
    {
        this.target = target;
    }

    /// <summary>Gets or sets the range llama.cpp's 0..1 is mapped into.</summary>
    public (double From, double To) Range { get; set; } = (0, 1);

    /// <summary>Reports an overall value (already in 0..1).</summary>
    /// <param name="value">The value.</param>
    public void ReportOverall(double value)
    {
        if (target is null)
        {
            return;
        }

        value = Math.Clamp(value, 0, 1);
        lock (gate)
        {
            if (value <= last)
            {
                return;
            }

            last = value;
            target.Report(value);
        }
    }

    /// <summary>
    /// Gets the exception the caller's reporter threw while llama.cpp reported weight-loading progress (reporting stops
    /// after it), or <see langword="null"/>.
    /// </summary>
    public ExceptionDispatchInfo? CallbackFailure { get; private set; }

    /// <summary>Gets or sets what to do when the caller's reporter throws from llama.cpp's callback (stop the load).</summary>
    public Action? OnCallbackFailure { get; set; }

    /// <inheritdoc />
    /// <remarks>
    /// Called by LLamaSharp from llama.cpp's progress callback, inside native code, where an exception cannot unwind (the
    /// process would die): the caller's exception is kept for the loader to rethrow.
    /// </remarks>
    public void Report(float value)
    {
        if (CallbackFailure is not null)
        {
            return;
        }

        var (from, to) = Range;
        try
        {
            ReportOverall(from + ((to - from) * Math.Clamp(value, 0f, 1f)));
        }
        catch (Exception ex)
        {
            CallbackFailure = ExceptionDispatchInfo.Capture(ex);
            try
            {
                OnCallbackFailure?.Invoke();
            }
            catch (Exception)
            {
                // Still inside native code: the load then simply runs to its end, and the loader rethrows.
            }
        }
    }
}
