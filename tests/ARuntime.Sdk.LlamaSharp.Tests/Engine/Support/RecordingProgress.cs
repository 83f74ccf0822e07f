namespace ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

/// <summary>An <see cref="IProgress{T}"/> that records every report synchronously, in order (unlike Progress&lt;T&gt;, which posts).</summary>
internal sealed class RecordingProgress : IProgress<double>
{
    private readonly List<double> values = [];

    /// <summary>Gets the reported values.</summary>
    public IReadOnlyList<double> Values
    {
        get
        {
            lock (values)
            {
                return values.ToList();
            }
        }
    }

    /// <inheritdoc />
    public void Report(double value)
    {
        lock (values)
        {
            values.Add(value);
        }
    }
}
