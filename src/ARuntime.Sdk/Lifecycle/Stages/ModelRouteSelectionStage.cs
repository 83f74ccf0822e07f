using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 5, model-route selection: choose deployment, region, precision, capability, cost and fallback within policy. Each
/// candidate the router proposes is also put to the policy engine; the plan keeps only the permitted ones, in order.
/// </summary>
internal sealed class ModelRouteSelectionStage : IRequestStage
{
    private readonly IModelRouter router;
    private readonly IModelCatalog catalog;
    private readonly IPolicyEngine policy;
    private readonly TimeProvider timeProvider;

    public ModelRouteSelectionStage(IModelRouter router, IModelCatalog catalog, IPolicyEngine policy, TimeProvider timeProvider)
    {
        this.router = router;
        this.catalog = catalog;
        this.policy = policy;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.ModelRouteSelection;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var route = context.Request.Route ?? new ModelRoute();
        var plan = await router.PlanAsync(
            new RoutingContext
            {
                RequestId = context.RequestId,
                Request = context.Request,
                Route = route,
                RequiredCapabilities = route.RequiredCapabilities,
                Authority = context.Authority,

                // The deployment receives the assembled context too: its classification, not just the request's, must fit.
                Risk = context.Risk with { Classification = context.Classification },
                RemainingCost = context.Budget.RemainingCost,
            },
            cancellationToken).ConfigureAwait(false);

        var permitted = new List<RouteCandidate>(plan.Candidates.Count);
        var excluded = new List<RouteExclusion>(plan.Excluded);
        var policyVersions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var candidate in plan.Candidates)
        {
            // Fail closed: a policy that cannot decide about a deployment excludes it (FailClosedPolicy).
            var decision = await policy.DecideAsync(context.PolicyContextFor(PolicyAction.ModelRoute, timeProvider.GetUtcNow(), deployment: candidate.Deployment), cancellationToken).ConfigureAwait(false);

            context.Telemetry.PolicyDecided(PolicyAction.ModelRoute, decision);
            policyVersions.Add(decision.PolicyVersion);

            // Only an allow uses a deployment: a route is not something a human approves mid-request.
            if (decision.Permits)
            {
                permitted.Add(permitted.Count == 0 ? candidate with { IsFallback = false } : candidate);
            }
            else
            {
                excluded.Add(new RouteExclusion { Deployment = candidate.Deployment.Name, ReasonCode = PolicyDenialCode(decision) });
            }
        }

        context.RoutePlan = plan with { Candidates = permitted, Excluded = excluded };
        context.RoutePlannedFor = context.Classification;
        context.RouteIndex = 0;
        var result = new StageResult(permitted.Count > 0 ? StageOutcome.Completed : StageOutcome.Failed,
            permitted.Count > 0 ? "route=" + string.Join('>', permitted.Select(c => c.Deployment.Name)) : "route=none");
        foreach (var exclusion in excluded)
        {
            result.WithReason(exclusion.ReasonCode + ":" + exclusion.Deployment);
        }

        if (plan.RulesVersion is not null)
        {
            result.With("rules.version", plan.RulesVersion);
        }

        if (policyVersions.Count > 0)
        {
            result.With("policy.version", string.Join(',', policyVersions));
        }

        result.With("candidates", permitted.Count).With("excluded", excluded.Count);
        for (var i = 0; i < permitted.Count; i++)
        {
            var candidate = permitted[i];
            var deployment = candidate.Deployment;
            result.With(
                "candidate." + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{deployment.Name};provider={deployment.Provider};region={deployment.Region};precision={deployment.Precision};downgrade={(candidate.CapabilityDowngrade ? "true" : "false")}");
        }

        if (permitted.Count == 0)
        {
            context.Terminate(
                AgentRunStatus.Failed,
                new AgentError { Code = AgentErrorCodes.NoEligibleRoute, Message = "No model deployment is eligible under the route, the authority and policy.", Field = "route", Stage = Stage },
                FailureKind.ModelTimeoutOrRefusal,
                Stage,
                "route.none_eligible");
            return result;
        }

        SelectDeployment(context, catalog, 0);
        return result;
    }

    /// <summary>Makes candidate <paramref name="index"/> the active deployment and records its versions.</summary>
    internal static void SelectDeployment(RequestContext context, IModelCatalog catalog, int index)
    {
        var candidate = context.RoutePlan!.Candidates[index];
        context.RouteIndex = index;
        context.ActiveDeployment = candidate.Deployment;
        if (catalog.TryGetEngine(candidate.Deployment.Name, out var engine))
        {
            var metadata = engine.Metadata;
            context.ActiveEngine = metadata;
            context.Versions = context.Versions with
            {
                Model = metadata.ModelVersion is null ? metadata.ModelId : metadata.ModelId + "@" + metadata.ModelVersion,
                Engine = metadata.EngineName + "/" + metadata.EngineVersion,
            };
        }
    }

    /// <summary>
    /// The reason code of a deployment policy refused — at planning or asked again mid-request: <c>route.policy_denied</c>
    /// with the deciding rule (or the first reason) in parentheses.
    /// </summary>
    internal static string PolicyDenialCode(PolicyDecision decision)
    {
        var reason = decision.ReasonCodes.FirstOrDefault(r => r.StartsWith("rule:", StringComparison.Ordinal)) ?? (decision.ReasonCodes.Count > 0 ? decision.ReasonCodes[0] : null);
        return reason is null ? "route.policy_denied" : "route.policy_denied(" + reason + ")";
    }
}
