using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Routing;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 4, context assembly: select sources and memory under provenance, freshness, scope and token budgets (tokens counted
/// with the routed model's tokenizer when it has one). Missing required context stops the request; missing optional context
/// is stated — to the model in its instructions, to the caller as a qualification and uncertainty — never invented. What was
/// requested and what was unavailable is recorded, one record per source.
/// </summary>
internal sealed class ContextAssemblyStage : IRequestStage
{
    private readonly IContextAssembler assembler;
    private readonly IModelCatalog catalog;
    private readonly IModelRouter router;
    private readonly RoutingOptions routing;
    private readonly TimeProvider timeProvider;

    public ContextAssemblyStage(IContextAssembler assembler, IModelCatalog catalog, IModelRouter router, IOptions<ARuntimeOptions> options, TimeProvider timeProvider)
    {
        this.assembler = assembler;
        this.catalog = catalog;
        this.router = router;
        routing = options.Value.Routing;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.ContextAssembly;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.Context.Count == 0 && request.Memory.Mode == MemoryMode.None)
        {
            return StageResult.NotApplicable("context.none_requested");
        }

        var (tokenizer, counter) = await RoutedTokenCounterAsync(context, cancellationToken).ConfigureAwait(false);
        var assembled = await assembler.AssembleAsync(
            new ContextAssemblyRequest
            {
                RequestId = context.RequestId,
                Request = request,
                Authority = context.Authority,
                Risk = context.Risk,
                Now = timeProvider.GetUtcNow(),
                TokenCounter = counter,
            },
            cancellationToken).ConfigureAwait(false);

        context.ContextItems.AddRange(assembled.Items);
        foreach (var item in assembled.Items)
        {
            context.Classification = context.Classification.Combine(item.Classification);
            context.Citations.Add(new Citation { Source = item.Source ?? "context", ItemId = item.Id, Location = item.Location });
        }

        foreach (var (source, reason) in assembled.Unavailable)
        {
            // Stated, never filled in: the model is told (system message), and so is the caller.
            context.UnavailableContext[source] = reason;
            context.Uncertainty.Add($"Context from '{source}' was unavailable ({reason}); the answer does not use it.");
            context.Qualifications.Add($"Answered without context from '{source}' ({reason}).");
        }

        var indexVersions = assembled.Reports.Where(r => r.IndexVersion is not null).Select(r => r.Source + "@" + r.IndexVersion).ToList();
        if (indexVersions.Count > 0)
        {
            context.RetrievalIndexVersion = string.Join(',', indexVersions);
            context.Versions = context.Versions with { RetrievalIndex = context.RetrievalIndexVersion };
        }

        // One record per source: what was requested and what was unavailable.
        var now = timeProvider.GetUtcNow();
        foreach (var report in assembled.Reports)
        {
            var attributes = new AttributeMap()
            {
                ["source"] = report.Source,
                ["returned"] = report.Returned.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["kept"] = report.Kept.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["attempts"] = report.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["required"] = request.Context.Any(c => c.Source == report.Source && c.Required) ? "true" : "false",
            };
            if (assembled.Unavailable.TryGetValue(report.Source, out var unavailableReason))
            {
                attributes["unavailable"] = unavailableReason;
            }

            if (report.FallbackUsed is not null)
            {
                attributes["fallback"] = report.FallbackUsed;
            }

            var outcome = report.Kept > 0 ? (report.FallbackUsed is null ? StageOutcome.Completed : StageOutcome.Degraded) : StageOutcome.Failed;
            await context.Evidence.WriteAsync(
                context.NewRecord(Stage, EvidenceKinds.ContextSource, outcome, now, TimeSpan.Zero, null, report.Kept > 0 ? "available" : "unavailable", report.ReasonCodes, attributes),
                EvidenceDurability.Acknowledged,
                cancellationToken).ConfigureAwait(false);
        }

        if (assembled.MissingRequired.Count > 0)
        {
            var sources = string.Join(", ", assembled.MissingRequired);
            context.Terminate(
                AgentRunStatus.Failed,
                new AgentError { Code = AgentErrorCodes.ContextUnavailable, Message = $"Required context is unavailable: {sources}. The request stopped rather than answer without it.", Field = "context", Stage = Stage },
                FailureKind.ContextRetrievalFailure,
                Stage,
                "context.required_missing");
            return new StageResult(StageOutcome.Failed, "missing=" + sources).WithReason("context.required_missing");
        }

        var result = new StageResult(assembled.Unavailable.Count > 0 ? StageOutcome.Degraded : StageOutcome.Completed, "items=" + assembled.Items.Count)
            .With("tokens", assembled.Tokens)
            .With("tokenizer", tokenizer)
            .With("sources", assembled.Reports.Count)
            .With("requested", string.Join(',', request.Context.Select(c => c.Source)))
            .With("unavailable", string.Join(',', assembled.Unavailable.Keys));
        foreach (var source in assembled.Unavailable.Keys)
        {
            result.WithReason("unavailable:" + source);
        }

        result.Classification = context.Classification;
        return result;
    }

    /// <summary>
    /// Finds the tokenizer of the deployment the request will be routed to first (context is assembled before the route is
    /// selected, so the router is asked for its plan); falls back to the preferred deployment, then to the estimate.
    /// </summary>
    private async ValueTask<(string Name, ITokenCounter? Counter)> RoutedTokenCounterAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        string? name = null;
        try
        {
            var route = request.Route ?? new ModelRoute();
            var plan = await router.PlanAsync(
                new RoutingContext
                {
                    RequestId = context.RequestId,
                    Request = request,
                    Route = route,
                    RequiredCapabilities = route.RequiredCapabilities,
                    Authority = context.Authority,
                    Risk = context.Risk,
                    RemainingCost = context.Budget.RemainingCost,
                },
                cancellationToken).ConfigureAwait(false);
            name = plan.Candidates.Count > 0 ? plan.Candidates[0].Deployment.Name : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Route selection reports router failures; here the preferred deployment is a good enough guess.
        }

        name ??= request.Route?.Deployment ?? routing.DefaultDeployment ?? (catalog.Deployments.Count > 0 ? catalog.Deployments[0].Name : null);
        return name is not null && catalog.TryGetEngine(name, out var engine) && engine.GetService(typeof(ITokenCounter)) is ITokenCounter counter
            ? (name, counter)
            : ("estimate", null);
    }
}
