using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Context;

/// <summary>
/// The default context assembler. For each requested source: fetch with a timeout and bounded retries, then the approved
/// fallback source; keep only items of the request's tenant and scopes, fresh enough, no more sensitive than the authority
/// allows, within the item limit and the token budget. Memory is searched when the request's memory policy allows reading.
/// </summary>
public sealed class DefaultContextAssembler : IContextAssembler
{
    /// <summary>The name under which memory items are reported.</summary>
    public const string MemorySourceName = "memory";

    private readonly Dictionary<string, IContextSource> sources = new(StringComparer.Ordinal);
    private readonly IMemoryStore? memory;
    private readonly ContextOptions options;
    private readonly TimeProvider timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="sources">The registered sources.</param>
    /// <param name="options">The runtime options.</param>
    /// <param name="timeProvider">The time provider (timeouts).</param>
    /// <param name="services">Resolves the optional memory store.</param>
    public DefaultContextAssembler(IEnumerable<IContextSource> sources, IOptions<ARuntimeOptions> options, TimeProvider timeProvider, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        foreach (var source in sources)
        {
            this.sources[source.Name] = source;
        }

        this.options = options.Value.Context;
        this.timeProvider = timeProvider;
        memory = services.GetService<IMemoryStore>();
    }

    /// <inheritdoc />
    public async ValueTask<AssembledContext> AssembleAsync(ContextAssemblyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var runtimeRequest = request.Request;
        if (runtimeRequest.Context.Count == 0 && runtimeRequest.Memory.Mode == MemoryMode.None)
        {
            return AssembledContext.Empty;
        }

        var items = new List<ContextItem>();
        var unavailable = new Dictionary<string, string>(StringComparer.Ordinal);
        var missingRequired = new List<string>();
        var reports = new List<ContextSourceReport>();
        var tokens = 0;

        foreach (var contextRequest in runtimeRequest.Context)
        {
            var (report, kept) = await FetchAsync(request, contextRequest, cancellationToken).ConfigureAwait(false);
            var taken = TakeWithinBudget(kept, request, ref tokens, out var overBudget);
            if (overBudget > 0)
            {
                report = report with { Kept = taken.Count, ReasonCodes = [.. report.ReasonCodes, "context.over_budget"] };
            }

            reports.Add(report);
            items.AddRange(taken);
            if (taken.Count == 0)
            {
                unavailable[contextRequest.Source] = report.ReasonCodes.Count > 0 ? report.ReasonCodes[0] : "context.empty";
                if (contextRequest.Required)
                {
                    missingRequired.Add(contextRequest.Source);
                }
            }
        }

        if (runtimeRequest.Memory.Mode != MemoryMode.None)
        {
            var (report, kept) = await SearchMemoryAsync(request, cancellationToken).ConfigureAwait(false);
            var taken = TakeWithinBudget(kept, request, ref tokens, out _);
            reports.Add(report with { Kept = taken.Count });
            items.AddRange(taken);
        }

        return new AssembledContext { Items = items, Unavailable = unavailable, MissingRequired = missingRequired, Reports = reports, Tokens = tokens };
    }

    private async ValueTask<(ContextSourceReport Report, List<ContextItem> Kept)> FetchAsync(ContextAssemblyRequest request, ContextRequest contextRequest, CancellationToken cancellationToken)
    {
        var name = contextRequest.Source;
        if (!sources.TryGetValue(name, out var source))
        {
            return (new ContextSourceReport { Source = name, ReasonCodes = ["context.source_unknown"] }, []);
        }

        var query = new ContextQuery
        {
            RequestId = request.RequestId,
            Identity = request.Request.Identity,
            Text = contextRequest.Query ?? request.Request.Task.Prompt,
            Scopes = contextRequest.Scopes,
            MaxItems = contextRequest.MaxItems ?? options.DefaultMaxItems,
            Now = request.Now,
        };

        var (result, attempts, failure) = await TryFetchAsync(source, query, cancellationToken).ConfigureAwait(false);
        string? fallbackUsed = null;
        if (result is null && options.FallbackSources.TryGetValue(name, out var fallbackName) && sources.TryGetValue(fallbackName, out var fallback))
        {
            var (fallbackResult, fallbackAttempts, _) = await TryFetchAsync(fallback, query, cancellationToken).ConfigureAwait(false);
            attempts += fallbackAttempts;
            if (fallbackResult is not null)
            {
                result = fallbackResult;
                fallbackUsed = fallbackName;
            }
        }

        if (result is null)
        {
            return (new ContextSourceReport { Source = name, Attempts = attempts, ReasonCodes = [failure ?? "context.failed"] }, []);
        }

        var reasons = new List<string>();
        var kept = Filter(result.Items, fallbackUsed ?? name, request, contextRequest, reasons);
        if (fallbackUsed is not null)
        {
            reasons.Insert(0, "context.fallback_used");
        }

        if (result.Items.Count == 0)
        {
            reasons.Add("context.empty");
        }

        return (new ContextSourceReport
        {
            Source = name,
            Returned = result.Items.Count,
            Kept = kept.Count,
            Attempts = attempts,
            FallbackUsed = fallbackUsed,
            ReasonCodes = reasons,
            IndexVersion = result.IndexVersion,
        }, kept);
    }

    private async ValueTask<(ContextSourceResult? Result, int Attempts, string? Failure)> TryFetchAsync(IContextSource source, ContextQuery query, CancellationToken cancellationToken)
    {
        string? failure = null;
        var attempts = 0;
        for (var attempt = 0; attempt <= options.SourceRetries; attempt++)
        {
            attempts++;
            using var timeout = new CancellationTokenSource(options.SourceTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                return (await source.FetchAsync(query, linked.Token).ConfigureAwait(false), attempts, null);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                failure = "context.timeout";
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failure = "context.source_error";
            }
        }

        return (null, attempts, failure);
    }

    private static List<ContextItem> Filter(IReadOnlyList<ContextItem> items, string source, ContextAssemblyRequest request, ContextRequest contextRequest, List<string> reasons)
    {
        var kept = new List<ContextItem>();
        int crossTenant = 0, outOfScope = 0, stale = 0, tooSensitive = 0;
        var max = contextRequest.MaxItems ?? int.MaxValue;
        foreach (var item in items)
        {
            if (!string.Equals(item.TenantId, request.Request.Identity.TenantId, StringComparison.Ordinal))
            {
                crossTenant++;
            }
            else if (contextRequest.Scopes.Count > 0 && (item.Scope is null || !contextRequest.Scopes.Contains(item.Scope, StringComparer.Ordinal)))
            {
                outOfScope++;
            }
            else if (contextRequest.MaxAge is { } maxAge && request.Now - item.UpdatedAt > maxAge)
            {
                stale++;
            }
            else if (item.Classification.Sensitivity > request.Authority.MaxDataSensitivity)
            {
                tooSensitive++;
            }
            else if (kept.Count < max)
            {
                kept.Add(item.Source == source ? item : item with { Source = source });
            }
        }

        if (crossTenant > 0)
        {
            reasons.Add("context.cross_tenant_items_dropped");
        }

        if (outOfScope > 0)
        {
            reasons.Add("context.out_of_scope_items_dropped");
        }

        if (stale > 0)
        {
            reasons.Add(kept.Count == 0 && stale == items.Count ? "context.stale" : "context.stale_items_dropped");
        }

        if (tooSensitive > 0)
        {
            reasons.Add("context.classification_exceeds_authority");
        }

        return kept;
    }

    private async ValueTask<(ContextSourceReport Report, List<ContextItem> Kept)> SearchMemoryAsync(ContextAssemblyRequest request, CancellationToken cancellationToken)
    {
        if (memory is null)
        {
            return (new ContextSourceReport { Source = MemorySourceName, ReasonCodes = ["memory.not_configured"] }, []);
        }

        var identity = request.Request.Identity;
        var scope = new MemoryScope
        {
            TenantId = identity.TenantId,
            Kind = request.Request.Memory.Scope,
            OwnerId = request.Request.Memory.Scope switch
            {
                MemoryScopeKind.Actor => identity.Actor.Id,
                MemoryScopeKind.Session => identity.SessionId,
                _ => null,
            },
        };

        var kept = new List<ContextItem>();
        try
        {
            await foreach (var item in memory.SearchAsync(new MemoryQuery { Scope = scope, Text = request.Request.Task.Prompt, Limit = options.DefaultMaxItems }, cancellationToken).ConfigureAwait(false))
            {
                if (item.Scope.TenantId == identity.TenantId && item.Classification.Sensitivity <= request.Authority.MaxDataSensitivity)
                {
                    kept.Add(new ContextItem
                    {
                        Id = item.Id,
                        Content = item.Content,
                        TenantId = item.Scope.TenantId,
                        Source = MemorySourceName,
                        Location = "memory:" + item.Id,
                        UpdatedAt = item.UpdatedAt,
                        Classification = item.Classification,
                    });
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (new ContextSourceReport { Source = MemorySourceName, Attempts = 1, ReasonCodes = ["memory.search_failed"] }, []);
        }

        return (new ContextSourceReport { Source = MemorySourceName, Returned = kept.Count, Kept = kept.Count, Attempts = 1 }, kept);
    }

    private List<ContextItem> TakeWithinBudget(List<ContextItem> items, ContextAssemblyRequest request, ref int tokens, out int overBudget)
    {
        var taken = new List<ContextItem>(items.Count);
        overBudget = 0;
        foreach (var item in items)
        {
            var cost = request.TokenCounter?.CountTokens(item.Content) ?? EstimateTokens(item.Content);
            if (tokens + cost > options.MaxContextTokens)
            {
                overBudget++;
                continue;
            }

            tokens += cost;
            taken.Add(item);
        }

        return taken;
    }

    /// <summary>A conservative estimate when no tokenizer is available: one token per three UTF-8 bytes, rounded up.</summary>
    private static int EstimateTokens(string text) => (Encoding.UTF8.GetByteCount(text) + 2) / 3;
}
