namespace ARuntime.Sdk.Inference;

/// <summary>
/// An engine that wraps another and passes every call through; derive from it to add behaviour (telemetry, metering,
/// fallback) around any engine, the way Microsoft.Extensions.AI's <c>DelegatingChatClient</c> composes chat clients.
/// </summary>
public abstract class DelegatingInferenceEngine : IInferenceEngine
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerEngine">The wrapped engine.</param>
    protected DelegatingInferenceEngine(IInferenceEngine innerEngine)
    {
        ArgumentNullException.ThrowIfNull(innerEngine);
        InnerEngine = innerEngine;
    }

    /// <summary>Gets the wrapped engine.</summary>
    protected IInferenceEngine InnerEngine { get; }

    /// <inheritdoc />
    public virtual InferenceEngineMetadata Metadata => InnerEngine.Metadata;

    /// <inheritdoc />
    public virtual Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        InnerEngine.InferAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<InferenceUpdate> InferStreamingAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        InnerEngine.InferStreamingAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : InnerEngine.GetService(serviceType, serviceKey);
    }
}
