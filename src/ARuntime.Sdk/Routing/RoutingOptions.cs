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

    /// <summary>Gets or sets the version of the routing rules (recorded in evidence).</summary>
    public string RulesVersion { get; set; } = "routing/1";
}
