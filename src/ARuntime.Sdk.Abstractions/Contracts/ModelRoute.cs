namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The model route contract: what a request needs from a model deployment and where it may run. The router picks the first
/// eligible deployment within policy and falls back through <see cref="Fallbacks"/> only within policy and budget.
/// </summary>
public sealed record ModelRoute : IVersionedContract
{
    /// <inheritdoc />
    public string ContractVersion { get; init; } = ContractVersions.Current;

    /// <summary>Gets the preferred deployment name; <see langword="null"/> lets the router choose.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the ordered fallback deployment names tried after the preferred one.</summary>
    public IReadOnlyList<string> Fallbacks { get; init => field = value ?? []; } = [];

    /// <summary>Gets the capabilities the request needs.</summary>
    public RouteCapabilities RequiredCapabilities { get; init; } = RouteCapabilities.None;

    /// <summary>Gets the regions the request's data may be processed in; empty allows any region the host allows.</summary>
    public IReadOnlyList<string> AllowedRegions { get; init => field = value ?? []; } = [];

    /// <summary>Gets the providers the request may use; empty allows any.</summary>
    public IReadOnlyList<string> AllowedProviders { get; init => field = value ?? []; } = [];

    /// <summary>Gets the required precision or quantization (for example <c>F16</c>, <c>Q4_K_M</c>); <see langword="null"/> accepts any.</summary>
    public string? Precision { get; init; }

    /// <summary>Gets the maximum cost of one inference call on the route, in the host's price-table currency.</summary>
    public decimal? MaxCostPerCall { get; init; }

    /// <summary>Gets the maximum acceptable latency of one inference call.</summary>
    public TimeSpan? MaxLatency { get; init; }

    /// <summary>Gets whether a fallback that offers fewer capabilities than the preferred deployment may be used (the result is then qualified).</summary>
    public bool AllowCapabilityDowngrade { get; init; }
}
