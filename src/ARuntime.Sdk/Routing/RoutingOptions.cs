namespace ARuntime.Sdk.Routing;

/// <summary>Routing settings.</summary>
public sealed class RoutingOptions
{
    /// <summary>Gets or sets the deployment used when a request names none; <see langword="null"/> uses the first registered.</summary>
    public string? DefaultDeployment { get; set; }

    /// <summary>Gets the fallback deployments tried, in order, when a request names none.</summary>
    public IList<string> DefaultFallbacks { get; } = [];

    /// <summary>Gets the regions any request may use; empty allows every region.</summary>
    public IList<string> AllowedRegions { get; } = [];

    /// <summary>
    /// Gets or sets how many times one deployment is tried when it is overloaded or fails with an engine error before the
    /// runtime falls back to the next one (timeouts and refusals always fall back at once). Each extra attempt counts
    /// against the request's retry budget. At least 1.
    /// </summary>
    public int MaxAttemptsPerDeployment { get; set; } = 1;

    /// <summary>Gets or sets the version of the routing rules (recorded in evidence).</summary>
    public string RulesVersion { get; set; } = "routing/1";
}
