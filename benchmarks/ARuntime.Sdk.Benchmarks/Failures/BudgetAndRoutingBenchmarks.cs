using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Risk;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Benchmarks.Failures;

/// <summary>
/// The overhead of budget accounting and routing. <c>request</c>: the same two-turn request (one tool call) through the full
/// lifecycle with the scripted engine, with no budget limits and no route (baseline) against a rich budget (every dimension,
/// a cost limit checked per deployment, a priced tool) and a rich route (preferred deployment, two fallbacks, region,
/// provider, precision, latency and per-call cost constraints, a route policy rule). <c>routing</c> and <c>budget</c>: the
/// router's plan and the ledger's checks alone, minimal against rich. Target: the rich request within a few percent of
/// the minimal one.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MedianColumn]
[InvocationCount(Invocations)]
public class BudgetAndRoutingBenchmarks
{
    private const int Invocations = 256;

    private static readonly RouteCapabilities Capabilities = new() { ToolCalling = true, ConstrainedOutput = true, Streaming = true, ContextTokens = 32_768 };

    private static readonly RequestIdentity Identity = new() { TenantId = "bench", Actor = new ActorIdentity { Id = "alice", Roles = ["kit.read"] } };

    private static readonly ModelRoute RichRoute = new()
    {
        Deployment = "primary",
        Fallbacks = ["secondary", "tertiary"],
        RequiredCapabilities = new RouteCapabilities { ToolCalling = true, ContextTokens = 8192 },
        AllowedRegions = ["local", "eu-west"],
        AllowedProviders = ["scripted"],
        Precision = "Q4_K_M",
        MaxLatency = TimeSpan.FromSeconds(30),
        MaxCostPerCall = 0.5m,
        AllowCapabilityDowngrade = true,
    };

    private static readonly Budget RichBudget = new()
    {
        MaxPromptTokens = 100_000,
        MaxGeneratedTokens = 10_000,
        MaxWallTime = TimeSpan.FromMinutes(5),
        MaxCost = 10m,
        MaxToolCalls = 8,
        MaxRetries = 4,
        MaxModelTurns = 8,
        MaxHumanReviews = 2,
    };

    private ServiceProvider? provider;
    private IAgentRuntime runtime = null!;
    private RuntimeRequest request = null!;
    private DefaultModelRouter minimalRouter = null!;
    private DefaultModelRouter richRouter = null!;
    private RoutingContext minimalRouting = null!;
    private RoutingContext richRouting = null!;
    private BudgetLedger unlimited = null!;
    private BudgetLedger limited = null!;
    private ModelPricing pricing = null!;

    [GlobalSetup(Targets = [nameof(MinimalRequest), nameof(RichRequest)])]
    public void CheckRequests()
    {
        // Both sides must complete the two turns on the deployment they were meant to (the rich one on its preferred route).
        foreach (var rich in new[] { false, true })
        {
            Setup(rich);
            var result = runtime.RunAsync(request).GetAwaiter().GetResult();
            provider!.Dispose();
            if (result.Status != AgentRunStatus.Completed || result.Usage.ToolCalls != 1 || (rich && (result.Deployment != "primary" || result.Usage.Cost <= 0m)))
            {
                throw new InvalidOperationException($"The {(rich ? "rich" : "minimal")} request did not complete as intended: {result.Status} {result.Deployment} {result.Error?.Message}");
            }
        }
    }

    [IterationSetup(Target = nameof(MinimalRequest))]
    public void SetupMinimalRequest() => Setup(rich: false);

    [IterationSetup(Target = nameof(RichRequest))]
    public void SetupRichRequest() => Setup(rich: true);

    [IterationCleanup(Targets = [nameof(MinimalRequest), nameof(RichRequest)])]
    public void CleanupRequest() => provider?.Dispose();

    [GlobalSetup(Targets = [nameof(MinimalPlan), nameof(RichPlan), nameof(UnlimitedLedgerChecks), nameof(LimitedLedgerChecks)])]
    public void SetupStages()
    {
        var catalog = new Catalog();
        minimalRouter = new DefaultModelRouter(catalog, Options.Create(new ARuntimeOptions()));
        var options = new ARuntimeOptions();
        options.Routing.AllowedRegions.Add("local");
        options.Routing.AllowedRegions.Add("eu-west");
        richRouter = new DefaultModelRouter(catalog, Options.Create(options));
        var runtimeRequest = new RuntimeRequest { Identity = Identity, Task = new AgentTask { Prompt = "Look up a." } };
        minimalRouting = new RoutingContext { RequestId = "r", Request = runtimeRequest, Route = new ModelRoute(), RequiredCapabilities = RouteCapabilities.None, Authority = new AuthorityGrant(), Risk = RiskAssessment.Low };
        richRouting = minimalRouting with { Route = RichRoute, RequiredCapabilities = RichRoute.RequiredCapabilities, RemainingCost = 10m, Authority = new AuthorityGrant { AllowedDeployments = ["primary", "secondary", "tertiary"] } };
        unlimited = new BudgetLedger(new BudgetLimits());
        limited = new BudgetLedger(BudgetLimits.Resolve(RichBudget, new BudgetOptions())) { PromptTokens = 420, GeneratedTokens = 40, Cost = 0.03m, ToolCalls = 1, ModelTurns = 2 };
        pricing = new ModelPricing { PerCall = 0.01m, PerMillionPromptTokens = 0.5m, PerMillionGeneratedTokens = 1.5m };
    }

    [Benchmark(Baseline = true, Description = "request: no budget limits, no route")]
    [BenchmarkCategory("request")]
    public Task<AgentResult> MinimalRequest() => runtime.RunAsync(request);

    [Benchmark(Description = "request: every budget dimension + rich route with fallbacks")]
    [BenchmarkCategory("request")]
    public Task<AgentResult> RichRequest() => runtime.RunAsync(request);

    [Benchmark(Baseline = true, Description = "routing: plan, no route")]
    [BenchmarkCategory("routing")]
    public ValueTask<RoutePlan> MinimalPlan() => minimalRouter.PlanAsync(minimalRouting);

    [Benchmark(Description = "routing: plan, rich route (3 candidates, every constraint)")]
    [BenchmarkCategory("routing")]
    public ValueTask<RoutePlan> RichPlan() => richRouter.PlanAsync(richRouting);

    [Benchmark(Baseline = true, Description = "budget: ledger checks, unlimited")]
    [BenchmarkCategory("budget")]
    public long UnlimitedLedgerChecks() => Checks(unlimited);

    [Benchmark(Description = "budget: ledger checks, every limit set")]
    [BenchmarkCategory("budget")]
    public long LimitedLedgerChecks() => Checks(limited);

    private long Checks(BudgetLedger ledger)
    {
        // What one turn of the tool loop asks of the ledger: before inference, per deployment, before a tool call, after each stage.
        var wall = TimeSpan.FromSeconds(3);
        var blocked = (int?)ledger.BlocksInference(wall) ?? 0;
        blocked += (int?)ledger.BlocksToolCall(wall, 0.001m) ?? 0;
        blocked += (int?)ledger.FirstOverrun(wall) ?? 0;
        return blocked + (ledger.AffordableGeneratedTokens(pricing, 420, 0.5m) ?? 0) + (ledger.RemainingGeneratedTokens ?? 0);
    }

    private void Setup(bool rich)
    {
        // A fresh scripted engine each iteration (it remembers its requests), with exactly the replies the iteration uses.
        var replies = new List<ScriptedReply>(Invocations * 2);
        for (var i = 0; i < Invocations; i++)
        {
            replies.Add(ScriptedReply.CallTool("lookup", new { key = "a" }).WithUsage(420, 20));
            replies.Add(ScriptedReply.Answer("It is v-a.").WithUsage(460, 12));
        }

        var engine = new ScriptedInferenceEngine([.. replies]);
        var services = new ServiceCollection();
        var builder = services.AddARuntime(o =>
            {
                o.AgentName = "bench";
                if (rich)
                {
                    o.Budgets.ToolPrices["lookup"] = 0.001m;
                    o.Routing.AllowedRegions.Add("local");
                    o.Routing.AllowedRegions.Add("eu-west");
                }
                else
                {
                    o.Budgets.MaxPromptTokens = null;
                    o.Budgets.MaxGeneratedTokens = null;
                    o.Budgets.MaxWallTime = null;
                    o.Budgets.MaxToolCalls = null;
                    o.Budgets.MaxRetries = null;
                    o.Budgets.MaxModelTurns = null;
                    o.Budgets.MaxHumanReviews = null;
                }
            })
            .AddTool((string key) => new { key, value = "v-" + key }, t =>
            {
                t.Name = "lookup";
                t.PermissionClass = "kit.read";
                t.SideEffect = SideEffectClass.Read;
            })
            .UseEvidenceSink(_ => new InMemoryEvidenceStore(maxRecordsPerTenant: 100_000));
        if (rich)
        {
            foreach (var deployment in Catalog.Rich)
            {
                builder.AddDeployment(deployment, _ => engine);
            }

            builder.ConfigurePolicy(p => p.Rules.Add(new PolicyRule
            {
                Id = "eu-only-for-internal",
                Action = PolicyAction.ModelRoute,
                Outcome = PolicyOutcome.Deny,
                Condition = c => c.Region is not ("local" or "eu-west"),
            }));
        }
        else
        {
            builder.AddEngine("scripted", engine);
        }

        provider = services.BuildServiceProvider();
        runtime = provider.GetRequiredService<IAgentRuntime>();
        request = new RuntimeRequest
        {
            Identity = Identity,
            Task = new AgentTask { Prompt = "Look up a." },
            AllowedTools = ["lookup"],
            Route = rich ? RichRoute : null,
            Budget = rich ? RichBudget : Budget.HostDefaults,
        };
    }

    /// <summary>The deployments of the rich route, without engines (the router reads declared capabilities).</summary>
    private sealed class Catalog : IModelCatalog
    {
        public static readonly ModelDeployment[] Rich =
        [
            new() { Name = "primary", Provider = "scripted", Region = "local", Precision = "Q4_K_M", Capabilities = Capabilities, ExpectedLatency = TimeSpan.FromSeconds(2), Pricing = new ModelPricing { PerCall = 0.01m, PerMillionPromptTokens = 0.5m, PerMillionGeneratedTokens = 1.5m } },
            new() { Name = "secondary", Provider = "scripted", Region = "eu-west", Precision = "Q4_K_M", Capabilities = Capabilities, ExpectedLatency = TimeSpan.FromSeconds(4), Pricing = new ModelPricing { PerCall = 0.02m } },
            new() { Name = "tertiary", Provider = "scripted", Region = "local", Precision = "Q4_K_M", Capabilities = Capabilities with { ContextTokens = 16_384 }, Pricing = new ModelPricing { PerMillionGeneratedTokens = 2m } },
        ];

        public IReadOnlyList<ModelDeployment> Deployments => Rich;

        public bool TryGetEngine(string deploymentName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Inference.IInferenceEngine? engine)
        {
            engine = null;
            return false;
        }
    }
}
