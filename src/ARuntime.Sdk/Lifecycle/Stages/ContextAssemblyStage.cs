using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Routing;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 4, context assembly: select sources and memory under provenance, freshness, scope and token budgets. Missing
/// required context stops the request; missing optional context is stated (to the model and in the result), never invented.
/// </summary>
internal sealed class ContextAssemblyStage : IRequestStage
{
    private readonly IContextAssembler assembler;
    private readonly IModelCatalog catalog;
    private readonly RoutingOptions routing;
    private readonly TimeProvider timeProvider;

    public ContextAssemblyStage(IContextAssembler assembler, IModelCatalog catalog, IOptions<ARuntimeOptions> options, TimeProvider timeProvider)
    {
        this.assembler = assembler;
        this.catalog = catalog;
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

        var assembled = await assembler.AssembleAsync(
            new ContextAssemblyRequest
            {
                RequestId = context.RequestId,
                Request = request,
                Authority = context.Authority,
                Now = timeProvider.GetUtcNow(),
                TokenCounter = PreferredTokenCounter(request),
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
            context.UnavailableContext[source] = reason;
            context.Uncertainty.Add($"Context from '{source}' was unavailable ({reason}); the answer does not use it.");
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
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["source"] = report.Source,
                ["returned"] = report.Returned.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["kept"] = report.Kept.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["attempts"] = report.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
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
            .With("sources", assembled.Reports.Count);
        foreach (var source in assembled.Unavailable.Keys)
        {
            result.WithReason("unavailable:" + source);
        }

        result.Classification = context.Classification;
        return result;
    }

    private ITokenCounter? PreferredTokenCounter(RuntimeRequest request)
    {
        var name = request.Route?.Deployment ?? routing.DefaultDeployment ?? (catalog.Deployments.Count > 0 ? catalog.Deployments[0].Name : null);
        return name is not null && catalog.TryGetEngine(name, out var engine) ? engine.GetService(typeof(ITokenCounter)) as ITokenCounter : null;
    }
}
