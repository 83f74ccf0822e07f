using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>A sink that wraps another and passes every call through; derive from it to add batching, buffering or fan-out.</summary>
public abstract class DelegatingEvidenceSink : IEvidenceSink
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerSink">The wrapped sink.</param>
    protected DelegatingEvidenceSink(IEvidenceSink innerSink)
    {
        ArgumentNullException.ThrowIfNull(innerSink);
        InnerSink = innerSink;
    }

    /// <summary>Gets the wrapped sink.</summary>
    protected IEvidenceSink InnerSink { get; }

    /// <inheritdoc />
    public virtual ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default) =>
        InnerSink.WriteAsync(record, durability, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask FlushAsync(CancellationToken cancellationToken = default) => InnerSink.FlushAsync(cancellationToken);
}
