namespace ARuntime.Sdk.Routing;

/// <summary>An eligible deployment in a route plan.</summary>
public sealed record RouteCandidate
{
    /// <summary>Gets the deployment.</summary>
    public required ModelDeployment Deployment { get; init; }

    /// <summary>Gets whether using it lowers the capabilities below those of the preferred deployment (the result is then qualified).</summary>
    public bool CapabilityDowngrade { get; init; }

    /// <summary>Gets whether this is a fallback rather than the preferred deployment.</summary>
    public bool IsFallback { get; init; }
}
