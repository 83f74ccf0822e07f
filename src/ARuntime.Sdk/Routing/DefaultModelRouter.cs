using ARuntime.Sdk.Contracts;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Routing;

/// <summary>
/// The default router: the preferred deployment (the request's, else the host's default, else the first registered), then
/// the fallbacks in order; each kept only if it is registered and within the authority, region, provider, precision,
/// capability, data-sensitivity, latency and cost constraints. A fallback offering fewer capabilities than the preferred
/// deployment is kept only when the route allows a capability downgrade (the result is then qualified). Excluded
/// deployments are reported with a reason code.
/// </summary>
public sealed class DefaultModelRouter : IModelRouter
{
    private readonly IModelCatalog catalog;
    private readonly RoutingOptions options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="catalog">The registered deployments.</param>
    /// <param name="options">The runtime options.</param>
    public DefaultModelRouter(IModelCatalog catalog, IOptions<ARuntimeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        this.catalog = catalog;
        this.options = options.Value.Routing;
    }

    /// <inheritdoc />
    public ValueTask<RoutePlan> PlanAsync(RoutingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var route = context.Route;
        var names = new List<string>();
        var preferred = route.Deployment ?? options.DefaultDeployment ?? (catalog.Deployments.Count > 0 ? catalog.Deployments[0].Name : null);
        if (preferred is not null)
        {
            names.Add(preferred);
        }

        IEnumerable<string> fallbacks = route.Fallbacks.Count > 0 || route.Deployment is not null ? route.Fallbacks : options.DefaultFallbacks;
        foreach (var fallback in fallbacks)
        {
            if (!names.Contains(fallback, StringComparer.Ordinal))
            {
                names.Add(fallback);
            }
        }

        var candidates = new List<RouteCandidate>();
        var excluded = new List<RouteExclusion>();
        RouteCapabilities? primaryCapabilities = null;
        foreach (var name in names)
        {
            var deployment = catalog.Deployments.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
            if (deployment is null)
            {
                excluded.Add(new RouteExclusion { Deployment = name, ReasonCode = "route.not_registered" });
                continue;
            }

            var capabilities = CapabilitiesOf(deployment);
            var reason = Exclude(deployment, capabilities, context);
            if (reason is not null)
            {
                excluded.Add(new RouteExclusion { Deployment = name, ReasonCode = reason });
                continue;
            }

            var downgrade = primaryCapabilities is not null && !capabilities.Satisfies(primaryCapabilities);
            if (downgrade && !route.AllowCapabilityDowngrade)
            {
                excluded.Add(new RouteExclusion { Deployment = name, ReasonCode = "route.capability_downgrade_not_allowed" });
                continue;
            }

            primaryCapabilities ??= capabilities;
            candidates.Add(new RouteCandidate { Deployment = deployment, IsFallback = candidates.Count > 0, CapabilityDowngrade = downgrade });
        }

        return ValueTask.FromResult(new RoutePlan { Candidates = candidates, Excluded = excluded, RulesVersion = options.RulesVersion });
    }

    private RouteCapabilities CapabilitiesOf(ModelDeployment deployment)
    {
        if (deployment.Capabilities is { } declared)
        {
            return declared;
        }

        return catalog.TryGetEngine(deployment.Name, out var engine) ? engine.Metadata.Capabilities : RouteCapabilities.None;
    }

    private string? Exclude(ModelDeployment deployment, RouteCapabilities capabilities, RoutingContext context)
    {
        var route = context.Route;
        if (context.Authority.AllowedDeployments.Count > 0 && !context.Authority.AllowedDeployments.Contains(deployment.Name, StringComparer.Ordinal))
        {
            return "route.not_authorized";
        }

        if (options.AllowedRegions.Count > 0 && !options.AllowedRegions.Contains(deployment.Region, StringComparer.Ordinal))
        {
            return "route.region_not_allowed_by_host";
        }

        if (route.AllowedRegions.Count > 0 && !route.AllowedRegions.Contains(deployment.Region, StringComparer.Ordinal))
        {
            return "route.region_not_allowed";
        }

        if (route.AllowedProviders.Count > 0 && !route.AllowedProviders.Contains(deployment.Provider, StringComparer.Ordinal))
        {
            return "route.provider_not_allowed";
        }

        if (route.Precision is { } precision && !string.Equals(precision, deployment.Precision, StringComparison.OrdinalIgnoreCase))
        {
            return "route.precision_mismatch";
        }

        if (!capabilities.Satisfies(context.RequiredCapabilities))
        {
            return "route.capability_missing";
        }

        if (context.Risk.Classification.Sensitivity > deployment.MaxDataSensitivity)
        {
            return "route.data_too_sensitive";
        }

        if (route.MaxLatency is { } maxLatency && deployment.ExpectedLatency is { } expected && expected > maxLatency)
        {
            return "route.latency_exceeds_limit";
        }

        // Token prices depend on the prompt, known only at inference (which caps output to fit); the fixed price is known now.
        if (route.MaxCostPerCall is { } maxCost && deployment.Pricing.PerCall > maxCost)
        {
            return "route.cost_exceeds_limit";
        }

        if (context.RemainingCost is { } remaining && deployment.Pricing.PerCall > remaining)
        {
            return "route.cost_exceeds_budget";
        }

        return null;
    }
}
