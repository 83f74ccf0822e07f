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

    /// <inheritdoc />
    public void Report(float value)
    {
        var (from, to) = Range;
        ReportOverall(from + ((to - from) * Math.Clamp(value, 0f, 1f)));
    }
}
