namespace ARuntime.Sdk.Routing;

/// <summary>A deployment the router excluded, and why.</summary>
public sealed record RouteExclusion
{
    /// <summary>Gets the deployment name.</summary>
    public required string Deployment { get; init; }

    /// <summary>Gets the reason code (for example <c>route.region_not_allowed</c>, <c>route.capability_missing</c>).</summary>
    public required string ReasonCode { get; init; }
}
