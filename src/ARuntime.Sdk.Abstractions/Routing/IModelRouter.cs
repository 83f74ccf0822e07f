namespace ARuntime.Sdk.Routing;

/// <summary>
/// Chooses where a request's inference runs: the ordered list of eligible deployments (the first, then fallbacks), each
/// within the route, the authority, policy and budget; and the deployments excluded, with why.
/// </summary>
public interface IModelRouter
{
    /// <summary>Plans the route.</summary>
    /// <param name="context">The request's route, authority, risk and budget.</param>
    /// <param name="cancellationToken">Cancels planning.</param>
    /// <returns>The plan.</returns>
    ValueTask<RoutePlan> PlanAsync(RoutingContext context, CancellationToken cancellationToken = default);
}
