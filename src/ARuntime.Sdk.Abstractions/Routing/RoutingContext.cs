using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Risk;

namespace ARuntime.Sdk.Routing;

/// <summary>What route selection works from.</summary>
public sealed record RoutingContext
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the request.</summary>
    public required RuntimeRequest Request { get; init; }

    /// <summary>Gets the route the request asks for (the request's, or the host's default route).</summary>
    public required ModelRoute Route { get; init; }

    /// <summary>Gets the capabilities the request needs (the route's, plus what its tools and output contract imply).</summary>
    public required RouteCapabilities RequiredCapabilities { get; init; }

    /// <summary>Gets the resolved authority.</summary>
    public required AuthorityGrant Authority { get; init; }

    /// <summary>
    /// Gets the risk assessment. Its <see cref="RiskAssessment.Classification"/> is that of everything the model will receive:
    /// the request and the context assembled for it.
    /// </summary>
    public required RiskAssessment Risk { get; init; }

    /// <summary>Gets the cost budget still available, if the request has one.</summary>
    public decimal? RemainingCost { get; init; }
}
