using System.Buffers;
using System.Text.Json;
using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Context;

/// <summary>
/// The default context assembler, following the "context retrieval failure" row: for each requested source, ask policy
/// (<see cref="PolicyAction.ContextSource"/>), fetch with a timeout and bounded retries (a failure — exception or timeout — is
/// retried; an empty answer is an answer and is not), then, when nothing usable came back, the host's approved fallback
/// source (configured in <see cref="ContextOptions.FallbackSources"/> and itself permitted by policy). Items are kept only
/// when they belong to the request's tenant and scopes (no scopes: the tenant's default scope only), are fresh enough, are no more sensitive than the authority allows,
/// and fit the item limit and the token budget (counted with the routed model's tokenizer when there is one). Memory is
/// searched when the request's memory policy allows reading. Nothing is ever invented: what could not be retrieved is
/// reported as unavailable, with the reason.
/// </summary>
public sealed class DefaultContextAssembler : IContextAssembler
{
    /// <summary>The name under which memory items are reported.</summary>
    public const string MemorySourceName = "memory";

    private readonly Dictionary<string, IContextSource> sources = new(StringComparer.Ordinal);
    private readonly IMemoryStore? memory;
    private readonly IPolicyEngine? policy;
    private readonly ContextOptions options;
    private readonly TimeProvider timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="sources">The registered sources.</param>
    /// <param name="options">The runtime options.</param>
    /// <param name="timeProvider">The time provider (timeouts).</param>
    /// <param name="services">Resolves the optional memory store and the policy engine.</param>
    public DefaultContextAssembler(IEnumerable<IContextSource> sources, IOptions<ARuntimeOptions> options, TimeProvider timeProvider, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(services);
        foreach (var source in sources)
        {
            if (string.IsNullOrWhiteSpace(source.Name))
            {
                throw new ArgumentException($"Context source {source.GetType().Name} has no name.", nameof(sources));
            }

            if (!this.sources.TryAdd(source.Name, source))
            {
                throw new ArgumentException($"Context source '{source.Name}' is registered twice.", nameof(sources));
            }
        }

        this.options = options.Value.Context;
        this.timeProvider = timeProvider;
        memory = services.GetService<IMemoryStore>();
        policy = services.GetService<IPolicyEngine>();
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
            report = report with { Kept = taken.Count };
            if (overBudget > 0)
            {
                report = report with { ReasonCodes = [.. report.ReasonCodes, "context.over_budget"] };
            }

            reports.Add(report);
            items.AddRange(taken);
            if (taken.Count == 0)
            {
                unavailable[contextRequest.Source] = PrimaryReason(report.ReasonCodes, overBudget > 0);
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

            // Memory that could not be searched is missing context; memory that simply holds nothing relevant is not.
            if (report.ReasonCodes.Any(r => r is "memory.search_failed" or "memory.timeout"))
            {
                unavailable[MemorySourceName] = report.ReasonCodes[0];
            }
        }

        return new AssembledContext { Items = items, Unavailable = unavailable, MissingRequired = missingRequired, Reports = reports, Tokens = tokens };
    }

    private static string PrimaryReason(IReadOnlyList<string> reasons, bool overBudget)
    {
        // The reason the model and the caller are told: the failure, not the bookkeeping around it.
        foreach (var reason in reasons)
        {
            if (reason is not ("context.fallback_used" or "context.fallback_failed"))
            {
                return reason;
            }
        }

        return overBudget ? "context.over_budget" : "context.empty";
    }

    private async ValueTask<(ContextSourceReport Report, List<ContextItem> Kept)> FetchAsync(ContextAssemblyRequest request, ContextRequest contextRequest, CancellationToken cancellationToken)
    {
        var name = contextRequest.Source;
        var query = new ContextQuery
        {
            RequestId = request.RequestId,
            Identity = request.Request.Identity,
            Text = contextRequest.Query ?? request.Request.Task.Prompt,
            Scopes = contextRequest.Scopes,
            MaxItems = contextRequest.MaxItems ?? options.DefaultMaxItems,
            Now = request.Now,
        };

        var reasons = new List<string>();
        var attempts = 0;
        var (kept, returned, indexVersion) = await TrySourceAsync(name, null, request, contextRequest, query, reasons, cancellationToken).ConfigureAwait(false);
        attempts += returned.Attempts;
        string? fallbackUsed = null;
        if (kept.Count == 0 && options.FallbackSources.TryGetValue(name, out var fallbackName))
        {
            // The approved fallback: configured by the host, and itself permitted by policy, asked only when the source gave nothing usable.
            var fallbackReasons = new List<string>();
            var (fallbackKept, fallbackReturned, fallbackIndex) = await TrySourceAsync(fallbackName, name, request, contextRequest, query, fallbackReasons, cancellationToken).ConfigureAwait(false);
            attempts += fallbackReturned.Attempts;
            if (fallbackKept.Count > 0)
            {
                fallbackUsed = fallbackName;
                kept = fallbackKept;
                indexVersion = fallbackIndex;
                reasons.Add("context.fallback_used");
                returned = (returned.Count + fallbackReturned.Count, attempts);
            }
            else
            {
                reasons.Add("context.fallback_failed");
                reasons.AddRange(fallbackReasons.Select(r => "fallback:" + r));
            }
        }

        return (new ContextSourceReport
        {
            Source = name,
            Returned = returned.Count,
            Kept = kept.Count,
            Attempts = attempts,
            FallbackUsed = fallbackUsed,
            ReasonCodes = reasons,
            IndexVersion = indexVersion,
        }, kept);
    }

    /// <summary>Asks one source (after policy), retrying failures; returns the items kept after filtering.</summary>
    private async ValueTask<(List<ContextItem> Kept, (int Count, int Attempts) Returned, string? IndexVersion)> TrySourceAsync(
        string name, string? fallbackFor, ContextAssemblyRequest request, ContextRequest contextRequest, ContextQuery query, List<string> reasons, CancellationToken cancellationToken)
    {
        if (!sources.TryGetValue(name, out var source))
        {
            reasons.Add("context.source_unknown");
            return ([], (0, 0), null);
        }

        var denial = await CheckPolicyAsync(name, fallbackFor, request, cancellationToken).ConfigureAwait(false);
        if (denial is not null)
        {
            reasons.Add(denial);
            return ([], (0, 0), null);
        }

        var (result, attempts, failure) = await TryFetchAsync(source, query, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            reasons.Add(failure ?? "context.source_error");
            return ([], (0, attempts), null);
        }

        var kept = Filter(result.Items, name, request, contextRequest, reasons);
        if (result.Items.Count == 0)
        {
            reasons.Add("context.empty");
        }

        return (kept, (result.Items.Count, attempts), result.IndexVersion);
    }

    private async ValueTask<string?> CheckPolicyAsync(string source, string? fallbackFor, ContextAssemblyRequest request, CancellationToken cancellationToken)
    {
        if (policy is null)
        {
            return null;
        }

        // Fail closed: a source the policy cannot decide about is not read (FailClosedPolicy).
        var decision = await policy.DecideAsync(
            new PolicyContext
            {
                Action = PolicyAction.ContextSource,
                RequestId = request.RequestId,
                Identity = request.Request.Identity,
                Authority = request.Authority,
                Risk = request.Risk,
                Now = request.Now,
                Arguments = SourceArguments(source, fallbackFor),
                Classification = request.Request.Classification,
                Tags = request.Request.Tags,
                TaskKind = request.Request.Task.Kind,
            },
            cancellationToken).ConfigureAwait(false);

        return decision.Permits ? null : "context.policy_denied";
    }

    private static JsonElement SourceArguments(string source, string? fallbackFor)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("source", source);
            if (fallbackFor is not null)
            {
                writer.WriteString("fallbackFor", fallbackFor);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private async ValueTask<(ContextSourceResult? Result, int Attempts, string? Failure)> TryFetchAsync(IContextSource source, ContextQuery query, CancellationToken cancellationToken)
    {
        string? failure = null;
        var attempts = 0;
        for (var attempt = 0; attempt <= options.SourceRetries; attempt++)
        {
            attempts++;
            using var timeout = SafeTime.CancelAfter(options.SourceTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                var result = await source.FetchAsync(query, linked.Token).ConfigureAwait(false);
                if (result is not null)
                {
                    return (result, attempts, null);
                }

                failure = "context.source_error";
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                failure = "context.timeout";
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A cancellation nobody asked for (an HttpClient timeout inside the source) is the source failing.
                failure = "context.source_error";
            }
        }

        return (null, attempts, failure);
    }

    private List<ContextItem> Filter(IReadOnlyList<ContextItem> items, string source, ContextAssemblyRequest request, ContextRequest contextRequest, List<string> reasons)
    {
        var kept = new List<ContextItem>();
        int invalid = 0, crossTenant = 0, outOfScope = 0, stale = 0, tooSensitive = 0;
        var max = contextRequest.MaxItems ?? options.DefaultMaxItems;
        var maxAge = contextRequest.MaxAge ?? options.DefaultMaxAge;
        foreach (var item in items)
        {
            if (item is null || string.IsNullOrEmpty(item.Id) || string.IsNullOrWhiteSpace(item.Content))
            {
                invalid++;
            }
            else if (!string.Equals(item.TenantId, request.Request.Identity.TenantId, StringComparison.Ordinal))
            {
                crossTenant++;
            }
            else if (contextRequest.Scopes.Count > 0 ? item.Scope is null || !contextRequest.Scopes.Contains(item.Scope, StringComparer.Ordinal) : item.Scope is not null)
            {
                outOfScope++;
            }
            else if (maxAge is { } age && request.Now - item.UpdatedAt > age)
            {
                stale++;
            }
            else if (item.Classification.Sensitivity > request.Authority.MaxDataSensitivity)
            {
                tooSensitive++;
            }
            else if (kept.Count < max)
            {
                // Provenance: the item is reported under the source that actually returned it.
                kept.Add(item.Source == source ? item : item with { Source = source });
            }
        }

        if (invalid > 0)
        {
            reasons.Add("context.invalid_items_dropped");
        }

        if (crossTenant > 0)
        {
            reasons.Add("context.cross_tenant_items_dropped");
        }

        if (outOfScope > 0)
        {
            reasons.Add(kept.Count == 0 ? "context.out_of_scope" : "context.out_of_scope_items_dropped");
        }

        if (stale > 0)
        {
            reasons.Add(kept.Count == 0 ? "context.stale" : "context.stale_items_dropped");
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
        var returned = 0;
        var now = timeProvider.GetUtcNow();
        using var timeout = SafeTime.CancelAfter(options.SourceTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await foreach (var item in memory.SearchAsync(new MemoryQuery { Scope = scope, Text = request.Request.Task.Prompt, Limit = options.DefaultMaxItems }, linked.Token).ConfigureAwait(false))
            {
                returned++;

                // A store is trusted with nothing it could get wrong: only items of the request's own scope (tenant, kind and
                // owner — another actor's memory is theirs), unexpired, and within the caller's clearance reach the model.
                if (InScope(item.Scope, scope) && (item.ExpiresAt is null || item.ExpiresAt > now) && item.Classification.Sensitivity <= request.Authority.MaxDataSensitivity)
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
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (new ContextSourceReport { Source = MemorySourceName, Returned = returned, Attempts = 1, ReasonCodes = ["memory.timeout"] }, []);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // As for sources: a cancellation the request did not ask for is the store failing.
            return (new ContextSourceReport { Source = MemorySourceName, Returned = returned, Attempts = 1, ReasonCodes = ["memory.search_failed"] }, []);
        }

        IReadOnlyList<string> reasons = returned > kept.Count ? ["memory.items_dropped"] : [];
        return (new ContextSourceReport { Source = MemorySourceName, Returned = returned, Kept = kept.Count, Attempts = 1, ReasonCodes = reasons }, kept);
    }

    private List<ContextItem> TakeWithinBudget(List<ContextItem> items, ContextAssemblyRequest request, ref int tokens, out int overBudget)
    {
        var taken = new List<ContextItem>(items.Count);
        overBudget = 0;
        foreach (var item in items)
        {
            var cost = Count(request, item.Content);
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

    private static int Count(ContextAssemblyRequest request, string text)
    {
        if (request.TokenCounter is { } counter)
        {
            try
            {
                return counter.CountTokens(text);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A tokenizer that fails falls back to the estimate rather than failing the request.
            }
        }

        return EstimateTokens(text);
    }

    /// <summary>A conservative estimate when no tokenizer is available: one token per three UTF-8 bytes, rounded up.</summary>
    private static int EstimateTokens(string text) => (Encoding.UTF8.GetByteCount(text) + 2) / 3;

    private static bool InScope(MemoryScope item, MemoryScope requested) =>
        item is not null
        && string.Equals(item.TenantId, requested.TenantId, StringComparison.Ordinal)
        && item.Kind == requested.Kind
        && string.Equals(item.OwnerId, requested.OwnerId, StringComparison.Ordinal);
}
