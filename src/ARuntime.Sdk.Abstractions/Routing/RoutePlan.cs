namespace ARuntime.Sdk.Routing;

/// <summary>The router's plan: eligible deployments in the order to try, and what was excluded.</summary>
public sealed record RoutePlan
{
    /// <summary>Gets the eligible deployments, preferred first.</summary>
    public required IReadOnlyList<RouteCandidate> Candidates { get; init; }

    /// <summary>Gets the excluded deployments, with reasons.</summary>
    public IReadOnlyList<RouteExclusion> Excluded { get; init => field = value ?? []; } = [];

    /// <summary>Gets the version of the routing rules that produced the plan.</summary>
    public string? RulesVersion { get; init; }
}
