using System.Diagnostics.CodeAnalysis;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Risk;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Failures;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Tests.Routing;

/// <summary>The route contract: capability, deployment, region, precision, provider, cost and latency constraints, and the ordered fallbacks.</summary>
public sealed class DefaultModelRouterTests
{
    private static readonly RouteCapabilities Full = new() { ToolCalling = true, ConstrainedOutput = true, Streaming = true, ContextTokens = 32_768 };

    private static async Task<RoutePlan> PlanAsync(ModelRoute route, IEnumerable<ModelDeployment> deployments, Action<ARuntimeOptions>? configure = null, AuthorityGrant? authority = null, RiskAssessment? risk = null, decimal? remainingCost = null)
    {
        var options = new ARuntimeOptions();
        configure?.Invoke(options);
        var router = new DefaultModelRouter(new Catalog(deployments), Options.Create(options));
        return await router.PlanAsync(new RoutingContext
        {
            RequestId = "req-1",
            Request = FailureTestKit.Request("Hello."),
            Route = route,
            RequiredCapabilities = route.RequiredCapabilities,
            Authority = authority ?? new AuthorityGrant(),
            Risk = risk ?? RiskAssessment.Low,
            RemainingCost = remainingCost,
        });
    }

    private static ModelDeployment D(string name, string region = "local", string provider = "local", string? precision = null, RouteCapabilities? capabilities = null) =>
        new() { Name = name, Region = region, Provider = provider, Precision = precision, Capabilities = capabilities ?? Full };

    [Test]
    public async Task PreferredThenFallbacks_InOrder_WithTheFirstEligibleFirst()
    {
        var plan = await PlanAsync(new ModelRoute { Deployment = "b", Fallbacks = ["c", "a"] }, [D("a"), D("b"), D("c")]);

        Assert.Multiple(() =>
        {
            Assert.That(plan.Candidates.Select(c => c.Deployment.Name), Is.EqualTo(new[] { "b", "c", "a" }));
            Assert.That(plan.Candidates.Select(c => c.IsFallback), Is.EqualTo(new[] { false, true, true }));
            Assert.That(plan.RulesVersion, Is.EqualTo("routing/1"));
        });
    }

    [Test]
    public async Task NoRoute_UsesTheHostDefaultAndItsFallbacks()
    {
        var plan = await PlanAsync(new ModelRoute(), [D("a"), D("b"), D("c")], o =>
        {
            o.Routing.DefaultDeployment = "c";
            o.Routing.DefaultFallbacks.Add("a");
        });

        Assert.That(plan.Candidates.Select(c => c.Deployment.Name), Is.EqualTo(new[] { "c", "a" }));
    }

    [Test]
    public async Task EveryConstraint_ExcludesWithItsReasonCode()
    {
        var deployments = new[]
        {
            D("ok"),
            D("far", region: "us-east"),
            D("vendor", provider: "acme"),
            D("f16", precision: "F16"),
            D("weak", capabilities: new RouteCapabilities { ContextTokens = 1024 }),
            new ModelDeployment { Name = "slow", Capabilities = Full, ExpectedLatency = TimeSpan.FromSeconds(30) },
            new ModelDeployment { Name = "pricey", Capabilities = Full, Pricing = new ModelPricing { PerCall = 2m } },
            new ModelDeployment { Name = "public", Capabilities = Full, MaxDataSensitivity = Sensitivity.Public },
        };
        var route = new ModelRoute
        {
            Deployment = "ok",
            Fallbacks = ["far", "vendor", "f16", "weak", "slow", "pricey", "public", "ghost"],
            AllowedRegions = ["local"],
            AllowedProviders = ["local"],
            Precision = "Q4_K_M",
            RequiredCapabilities = new RouteCapabilities { ContextTokens = 8192 },
            MaxLatency = TimeSpan.FromSeconds(5),
            MaxCostPerCall = 1m,
        };

        var plan = await PlanAsync(route with { Precision = null }, deployments, risk: new RiskAssessment { Classification = new DataClassification { Sensitivity = Sensitivity.Confidential } });
        var precise = await PlanAsync(route, deployments);

        Assert.Multiple(() =>
        {
            Assert.That(plan.Candidates.Select(c => c.Deployment.Name), Is.EqualTo(new[] { "ok", "f16" }));
            Assert.That(plan.Excluded.ToDictionary(e => e.Deployment, e => e.ReasonCode), Is.EquivalentTo(new Dictionary<string, string>
            {
                ["far"] = "route.region_not_allowed",
                ["vendor"] = "route.provider_not_allowed",
                ["weak"] = "route.capability_missing",
                ["slow"] = "route.latency_exceeds_limit",
                ["pricey"] = "route.cost_exceeds_limit",
                ["public"] = "route.data_too_sensitive",
                ["ghost"] = "route.not_registered",
            }));
            Assert.That(precise.Excluded.Single(e => e.Deployment == "f16").ReasonCode, Is.EqualTo("route.precision_mismatch"));
            Assert.That(precise.Excluded.Single(e => e.Deployment == "ok").ReasonCode, Is.EqualTo("route.precision_mismatch"));
        });
    }

    [Test]
    public async Task HostRegionsAuthorityAndRemainingCost_AlsoExclude()
    {
        var deployments = new[] { D("a"), D("b", region: "eu"), D("c"), new ModelDeployment { Name = "d", Capabilities = Full, Pricing = new ModelPricing { PerCall = 0.5m } } };

        var plan = await PlanAsync(
            new ModelRoute { Deployment = "a", Fallbacks = ["b", "c", "d"] },
            deployments,
            o => o.Routing.AllowedRegions.Add("local"),
            new AuthorityGrant { AllowedDeployments = ["a", "b", "d"] },
            remainingCost: 0.25m);

        Assert.Multiple(() =>
        {
            Assert.That(plan.Candidates.Select(c => c.Deployment.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(plan.Excluded.Select(e => (e.Deployment, e.ReasonCode)), Is.EquivalentTo(new[]
            {
                ("b", "route.region_not_allowed_by_host"),
                ("c", "route.not_authorized"),
                ("d", "route.cost_exceeds_budget"),
            }));
        });
    }

    [Test]
    public async Task CapabilityDowngrade_IsMarkedOnlyWhenAllowed()
    {
        var deployments = new[] { D("big"), D("small", capabilities: Full with { ContextTokens = 4096 }) };

        var strict = await PlanAsync(new ModelRoute { Deployment = "big", Fallbacks = ["small"] }, deployments);
        var lenient = await PlanAsync(new ModelRoute { Deployment = "big", Fallbacks = ["small"], AllowCapabilityDowngrade = true }, deployments);

        Assert.Multiple(() =>
        {
            Assert.That(strict.Candidates.Select(c => c.Deployment.Name), Is.EqualTo(new[] { "big" }));
            Assert.That(strict.Excluded.Single().ReasonCode, Is.EqualTo("route.capability_downgrade_not_allowed"));
            Assert.That(lenient.Candidates.Select(c => c.CapabilityDowngrade), Is.EqualTo(new[] { false, true }));
        });
    }

    [Test]
    public async Task UndeclaredCapabilities_ComeFromTheEngine()
    {
        var engine = new ScriptedInferenceEngine();
        var plan = await PlanAsync(
            new ModelRoute { RequiredCapabilities = new RouteCapabilities { ToolCalling = true, ContextTokens = 16_000 } },
            [new ModelDeployment { Name = "engine-caps" }],
            null);
        var catalog = new Catalog([new ModelDeployment { Name = "engine-caps" }], engine);
        var router = new DefaultModelRouter(catalog, Options.Create(new ARuntimeOptions()));
        var withEngine = await router.PlanAsync(new RoutingContext
        {
            RequestId = "req-1",
            Request = FailureTestKit.Request("Hello."),
            Route = new ModelRoute(),
            RequiredCapabilities = new RouteCapabilities { ToolCalling = true, ContextTokens = 16_000 },
            Authority = new AuthorityGrant(),
            Risk = RiskAssessment.Low,
        });

        Assert.Multiple(() =>
        {
            Assert.That(plan.Excluded.Single().ReasonCode, Is.EqualTo("route.capability_missing"), "no engine, no declared capabilities: nothing is assumed");
            Assert.That(withEngine.Candidates, Has.Count.EqualTo(1));
        });
    }

    private sealed class Catalog(IEnumerable<ModelDeployment> deployments, IInferenceEngine? engine = null) : IModelCatalog
    {
        public IReadOnlyList<ModelDeployment> Deployments { get; } = [.. deployments];

        public bool TryGetEngine(string deploymentName, [NotNullWhen(true)] out IInferenceEngine? found)
        {
            found = Deployments.Any(d => d.Name == deploymentName) ? engine : null;
            return found is not null;
        }
    }
}
