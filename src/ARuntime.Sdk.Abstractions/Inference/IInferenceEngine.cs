namespace ARuntime.Sdk.Inference;

/// <summary>
/// An inference engine: the layer that loads a model, prefills, decodes, batches, constrains output and reports token-level
/// telemetry. Implementations exist for llama.cpp (ARuntime.Sdk.LlamaSharp) and for tests (ARuntime.Sdk.Testing's scripted
/// engine); cross-cutting behaviour is added by wrapping one in a <see cref="DelegatingInferenceEngine"/>.
/// </summary>
/// <remarks>
/// An engine must honour <see cref="InferenceRequest.Deadline"/> and cancellation within one decode step, report
/// <see cref="StopReason"/> truthfully, and throw <see cref="InferenceException"/> (never another exception type) for engine
/// failures, with <see cref="InferenceFailureKind.Overloaded"/> when its queue is full so the runtime can route elsewhere.
/// </remarks>
public interface IInferenceEngine
{
    /// <summary>Gets what the engine is and what it can do (model, versions, capabilities).</summary>
    InferenceEngineMetadata Metadata { get; }

    /// <summary>Runs one inference to completion.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops generation within one decode step; the result then has <see cref="StopReason.Cancelled"/>.</param>
    /// <returns>The generated text and its telemetry.</returns>
    /// <exception cref="InferenceException">The engine failed, is overloaded, or cannot serve the request.</exception>
    Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs one inference, streaming text as it is generated; the last update carries the <see cref="InferenceResult"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops generation within one decode step.</param>
    /// <returns>The updates.</returns>
    /// <exception cref="InferenceException">The engine failed, is overloaded, or cannot serve the request.</exception>
    IAsyncEnumerable<InferenceUpdate> InferStreamingAsync(InferenceRequest request, CancellationToken cancellationToken = default);

    /// <summary>Returns a service the engine or an engine it wraps provides (for example an <see cref="ITokenCounter"/>), or <see langword="null"/>.</summary>
    /// <param name="serviceType">The service type.</param>
    /// <param name="serviceKey">An optional key.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    object? GetService(Type serviceType, object? serviceKey = null);
}
