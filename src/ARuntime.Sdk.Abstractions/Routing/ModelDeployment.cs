using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Routing;

/// <summary>A registered model deployment: a named model on an engine, with where it runs, what it can do and what it costs.</summary>
public sealed record ModelDeployment
{
    /// <summary>Gets the deployment name routes refer to.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the provider (for example <c>llama.cpp</c>, <c>scripted</c>, <c>openai</c>).</summary>
    public string Provider { get; init; } = "local";

    /// <summary>Gets the region the deployment processes data in (<c>local</c> for in-process engines).</summary>
    public string Region { get; init; } = "local";

    /// <summary>Gets the precision or quantization (for example <c>F16</c>, <c>Q4_K_M</c>).</summary>
    public string? Precision { get; init; }

    /// <summary>Gets the capabilities; <see langword="null"/> takes them from the engine's metadata.</summary>
    public RouteCapabilities? Capabilities { get; init; }

    /// <summary>Gets the price; none of its components may be negative (checked when the runtime starts).</summary>
    public ModelPricing Pricing { get; init => field = value ?? ModelPricing.Free; } = ModelPricing.Free;

    /// <summary>
    /// Gets the timeout of one inference call on this deployment: positive, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// (checked when the runtime starts).
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets the latency the host expects of one inference call on this deployment (for example its measured p95), or
    /// <see langword="null"/> when unknown. A route with <see cref="Contracts.ModelRoute.MaxLatency"/> excludes deployments
    /// whose expected latency exceeds it; a deployment with an unknown latency stays eligible and is held to the limit by a timeout.
    /// </summary>
    public TimeSpan? ExpectedLatency { get; init; }

    /// <summary>Gets the most sensitive data the deployment may receive.</summary>
    public Sensitivity MaxDataSensitivity { get; init; } = Sensitivity.Restricted;
}
