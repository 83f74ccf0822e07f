using System.Runtime.CompilerServices;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Failures;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Context;

/// <summary>
/// Context assembly and the "context retrieval failure" row: a source timeout, empty set or freshness violation leads to a
/// retry, an approved fallback source, or a stated missing context (or a stop, when the context is required) — never to
/// invented context. What was requested and what was unavailable is in evidence.
/// </summary>
public sealed class ContextRetrievalFailureTests
{
    private static readonly TimeSpan SourceTimeout = TimeSpan.FromSeconds(10);

    private static ContextItem Item(string id, string content, DateTimeOffset updatedAt, string tenant = FailureTestKit.Tenant, string? scope = null) =>
        new() { Id = id, Content = content, TenantId = tenant, UpdatedAt = updatedAt, Scope = scope, Location = "doc://" + id };

    private static RuntimeRequest WithContext(params ContextRequest[] context) => FailureTestKit.Request("What does the handbook say about leave?") with { Context = context };

    [Test]
    public async Task SourceTimeout_ProducesAStatedMissingContextAnswer_NotAnInventedOne()
    {
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Hang);
        await using var harness = AgentTestHarness.Create(b => b.AddContextSource(docs), o => o.Context.SourceTimeout = SourceTimeout, ScriptedReply.Answer("The handbook is unavailable right now, so I cannot say."));

        var run = harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }));
        await docs.Entered.WhenEnteredAsync(1);
        harness.Time.Advance(SourceTimeout);
        await docs.Entered.WhenEnteredAsync(2);
        harness.Time.Advance(SourceTimeout);
        var result = await run;

        var system = harness.Engine.Requests.Single().Messages[0].Content;
        var record = harness.Evidence.Kind(result, EvidenceKinds.ContextSource).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(docs.Calls, Is.EqualTo(2), "a timed-out source is retried once (the default)");
            Assert.That(system, Does.Contain("This context was requested but is unavailable: docs (context.timeout)").And.Contain("Do not guess what it would say; state that it is missing."));
            Assert.That(system, Does.Not.Contain("Context (cite items"), "no context item was made up to fill the gap");
            Assert.That(result.Citations, Is.Empty);
            Assert.That(result.Qualifications, Does.Contain("Answered without context from 'docs' (context.timeout)."));
            Assert.That(result.Uncertainty, Has.Some.Contains("'docs' was unavailable (context.timeout)"));
            Assert.That(record.Outcome, Is.EqualTo(StageOutcome.Failed));
            Assert.That(record.Decision, Is.EqualTo("unavailable"));
            Assert.That(record.ReasonCodes, Does.Contain("context.timeout"));
            Assert.That(record.Attributes["attempts"], Is.EqualTo("2"));
            Assert.That(record.Attributes["unavailable"], Is.EqualTo("context.timeout"));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.ContextAssembly).Attributes["requested"], Is.EqualTo("docs"));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.ContextAssembly).Attributes["unavailable"], Is.EqualTo("docs"));
        });
    }

    [Test]
    public async Task RequiredSourceTimeout_StopsWithoutCallingTheModel()
    {
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Hang);
        await using var harness = AgentTestHarness.Create(b => b.AddContextSource(docs), o =>
        {
            o.Context.SourceTimeout = SourceTimeout;
            o.Context.SourceRetries = 0;
        });

        var run = harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs", Required = true }));
        await docs.Entered.WhenEnteredAsync(1);
        harness.Time.Advance(SourceTimeout);
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.ContextUnavailable));
            Assert.That(result.Error.Field, Is.EqualTo("context"));
            Assert.That(result.Answer, Is.Null);
            Assert.That(harness.Engine.CallCount, Is.Zero);
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Inference).Outcome, Is.EqualTo(StageOutcome.NotReached));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.Incident).Single().Attributes["failure.kind"], Is.EqualTo("ContextRetrievalFailure"));
        });
    }

    [Test]
    public async Task FailingSource_IsRetried()
    {
        var now = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Throws, ScriptedContextSource.Items(Item("leave", "Twenty days of leave.", now)));
        await using var harness = AgentTestHarness.Create(b => b.AddContextSource(docs), ScriptedReply.Answer("Twenty days [docs:leave]."));

        var result = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.IsQualified, Is.False);
            Assert.That(result.Citations.Single().ItemId, Is.EqualTo("leave"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.ContextSource).Single().Attributes["attempts"], Is.EqualTo("2"));
            Assert.That(harness.Engine.Requests[0].Messages[0].Content, Does.Contain("[docs:leave] Twenty days of leave."));
        });
    }

    [Test]
    public async Task SourceFailingWithItsOwnCancellation_IsRetriedAndStatedMissing_NotAnInternalFault()
    {
        // An HttpClient timeout inside a source surfaces as TaskCanceledException, though neither the caller nor the
        // runtime's source timeout cancelled anything: it is a failing source like any other.
        var docs = new ScriptedContextSource("docs", _ => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout."));
        await using var harness = AgentTestHarness.Create(b => b.AddContextSource(docs), ScriptedReply.Answer("The handbook is unavailable right now."));

        var result = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }));

        var record = harness.Evidence.Kind(result, EvidenceKinds.ContextSource).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Error, Is.Null);
            Assert.That(docs.Calls, Is.EqualTo(2), "a failing source is retried once (the default)");
            Assert.That(result.Qualifications, Does.Contain("Answered without context from 'docs' (context.source_error)."));
            Assert.That(record.Attributes["unavailable"], Is.EqualTo("context.source_error"));
            Assert.That(harness.Engine.Requests.Single().Messages[0].Content, Does.Contain("docs (context.source_error)"));
        });
    }

    [Test]
    public async Task FailedSource_UsesTheApprovedFallbackSource()
    {
        var now = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Throws);
        var mirror = new ScriptedContextSource("docs-mirror", ScriptedContextSource.Items(Item("leave", "Twenty days of leave.", now)));
        await using var harness = AgentTestHarness.Create(
            b => b.AddContextSource(docs).AddContextSource(mirror),
            o => o.Context.FallbackSources["docs"] = "docs-mirror",
            ScriptedReply.Answer("Twenty days."));

        var result = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }));

        var record = harness.Evidence.Kind(result, EvidenceKinds.ContextSource).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Citations.Single().Source, Is.EqualTo("docs-mirror"), "provenance names the source that answered");
            Assert.That(record.Outcome, Is.EqualTo(StageOutcome.Degraded));
            Assert.That(record.Attributes["fallback"], Is.EqualTo("docs-mirror"));
            Assert.That(record.ReasonCodes, Is.SupersetOf(new[] { "context.source_error", "context.fallback_used" }));
            Assert.That(record.Attributes["attempts"], Is.EqualTo("3"));
        });
    }

    [Test]
    public async Task FallbackSourceDeniedByPolicy_IsNotUsed()
    {
        var now = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Throws);
        var mirror = new ScriptedContextSource("docs-mirror", ScriptedContextSource.Items(Item("leave", "Twenty days of leave.", now)));
        await using var harness = AgentTestHarness.Create(
            b => b.AddContextSource(docs).AddContextSource(mirror).ConfigurePolicy(p => p.Rules.Add(new PolicyRule
            {
                Id = "no-unvetted-mirror",
                Action = PolicyAction.ContextSource,
                Outcome = PolicyOutcome.Deny,
                Condition = c => c.Arguments!.Value.GetProperty("source").GetString() == "docs-mirror",
            })),
            o => o.Context.FallbackSources["docs"] = "docs-mirror",
            ScriptedReply.Answer("I cannot see the handbook."));

        var result = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }));

        Assert.Multiple(() =>
        {
            Assert.That(mirror.Calls, Is.Zero);
            Assert.That(result.Citations, Is.Empty);
            Assert.That(result.Qualifications, Does.Contain("Answered without context from 'docs' (context.source_error)."));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.ContextSource).Single().ReasonCodes, Does.Contain("fallback:context.policy_denied"));
        });
    }

    [Test]
    public async Task EmptySource_IsAnAnswerNotRetried_AndTheFallbackIsAsked()
    {
        var now = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Items());
        var mirror = new ScriptedContextSource("docs-mirror", ScriptedContextSource.Items(Item("leave", "Twenty days of leave.", now)));
        await using var harness = AgentTestHarness.Create(
            b => b.AddContextSource(docs).AddContextSource(mirror),
            o => o.Context.FallbackSources["docs"] = "docs-mirror",
            ScriptedReply.Answer("Twenty days."));

        var result = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }));

        Assert.Multiple(() =>
        {
            Assert.That(docs.Calls, Is.EqualTo(1));
            Assert.That(mirror.Calls, Is.EqualTo(1));
            Assert.That(result.Citations.Single().Source, Is.EqualTo("docs-mirror"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.ContextSource).Single().ReasonCodes, Is.SupersetOf(new[] { "context.empty", "context.fallback_used" }));
        });
    }

    [Test]
    public async Task StaleItems_AreExcludedByTheFreshnessRule()
    {
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Items(
            Item("old", "Fifteen days of leave.", new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero)),
            Item("new", "Twenty days of leave.", new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.Zero))));
        await using var harness = AgentTestHarness.Create(b => b.AddContextSource(docs), ScriptedReply.Answer("Twenty days."), ScriptedReply.Answer("unknown"));

        var fresh = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs", MaxAge = TimeSpan.FromDays(2) }));
        var allStale = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs", MaxAge = TimeSpan.FromHours(1) }));

        Assert.Multiple(() =>
        {
            Assert.That(fresh.Citations.Select(c => c.ItemId), Is.EqualTo(new[] { "new" }));
            Assert.That(harness.Evidence.Kind(fresh, EvidenceKinds.ContextSource).Single().ReasonCodes, Does.Contain("context.stale_items_dropped"));
            Assert.That(allStale.Citations, Is.Empty);
            Assert.That(allStale.Qualifications, Does.Contain("Answered without context from 'docs' (context.stale)."));
        });
    }

    [Test]
    public async Task OtherTenantsAndOtherScopes_AreNeverUsed()
    {
        var now = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Items(
            Item("mine", "Ours.", now, scope: "hr"),
            Item("theirs", "Another tenant's secret.", now, tenant: "tenant-other", scope: "hr"),
            Item("finance", "Another scope.", now, scope: "finance"),
            Item("default", "Default scope.", now)));
        await using var harness = AgentTestHarness.Create(b => b.AddContextSource(docs), ScriptedReply.Answer("a"), ScriptedReply.Answer("b"));

        var scoped = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs", Scopes = ["hr"] }));
        var unscoped = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }));

        Assert.Multiple(() =>
        {
            Assert.That(scoped.Citations.Select(c => c.ItemId), Is.EqualTo(new[] { "mine" }));
            Assert.That(harness.Evidence.Kind(scoped, EvidenceKinds.ContextSource).Single().ReasonCodes, Is.SupersetOf(new[] { "context.cross_tenant_items_dropped", "context.out_of_scope_items_dropped" }));
            Assert.That(unscoped.Citations.Select(c => c.ItemId), Is.EqualTo(new[] { "default" }), "no scopes means the tenant's default scope");
            Assert.That(harness.Engine.Requests.Select(r => r.Messages[0].Content), Has.None.Contains("Another tenant's secret."));
        });
    }

    [Test]
    public async Task TokenBudget_IsCountedWithTheRoutedModelsTokenizer()
    {
        var now = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Items(Item("a", "one two three", now), Item("b", "four five six", now)));
        await using var harness = AgentTestHarness.Create(
            b => b.AddContextSource(docs).AddDeployment(new ModelDeployment { Name = "counted" }, sp => new WordCountingEngine(sp.GetRequiredKeyedService<IInferenceEngine>(AgentTestHarness.DeploymentName))),
            o =>
            {
                o.Context.MaxContextTokens = 6;
                o.Routing.DefaultDeployment = "counted";
            },
            ScriptedReply.Answer("a"),
            ScriptedReply.Answer("b"));

        var counted = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }));
        var estimated = await harness.Runtime.RunAsync(WithContext(new ContextRequest { Source = "docs" }) with { Route = new ModelRoute { Deployment = AgentTestHarness.DeploymentName } });

        var countedStage = harness.Evidence.StageRecord(counted, LifecycleStage.ContextAssembly);
        var estimatedStage = harness.Evidence.StageRecord(estimated, LifecycleStage.ContextAssembly);
        Assert.Multiple(() =>
        {
            Assert.That(counted.Citations, Has.Count.EqualTo(2), "three words each: both fit in six tokens");
            Assert.That(countedStage.Attributes["tokenizer"], Is.EqualTo("counted"));
            Assert.That(countedStage.Attributes["tokens"], Is.EqualTo("6"));
            Assert.That(estimated.Citations, Has.Count.EqualTo(1), "without a tokenizer the conservative estimate (5 per item) fits one");
            Assert.That(estimatedStage.Attributes["tokenizer"], Is.EqualTo("estimate"));
            Assert.That(harness.Evidence.Kind(estimated, EvidenceKinds.ContextSource).Single().ReasonCodes, Does.Contain("context.over_budget"));
        });
    }

    [Test]
    public async Task MemoryThatCannotBeSearched_IsStatedAsMissing()
    {
        await using var harness = AgentTestHarness.Create(b => b.UseMemoryStore(_ => new FailingMemoryStore()), ScriptedReply.Answer("ok"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("What did I say last time?") with { Memory = new MemoryPolicy { Mode = MemoryMode.Read } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Qualifications, Does.Contain("Answered without context from 'memory' (memory.search_failed)."));
            Assert.That(harness.Engine.Requests[0].Messages[0].Content, Does.Contain("memory (memory.search_failed)"));
        });
    }

    [Test]
    public async Task MemoryFailingWithItsOwnCancellation_IsStatedAsMissing()
    {
        await using var harness = AgentTestHarness.Create(b => b.UseMemoryStore(_ => new FailingMemoryStore(new TaskCanceledException("The store's own client timed out."))), ScriptedReply.Answer("ok"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("What did I say last time?") with { Memory = new MemoryPolicy { Mode = MemoryMode.Read } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Qualifications, Does.Contain("Answered without context from 'memory' (memory.search_failed)."));
        });
    }

    [Test]
    public async Task Memory_a_store_returns_outside_the_request_scope_or_expired_never_reaches_the_model()
    {
        var now = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);
        MemoryItem Item(string id, string owner, string content, DateTimeOffset? expiresAt = null) => new()
        {
            Id = id,
            Scope = new MemoryScope { TenantId = FailureTestKit.Tenant, Kind = MemoryScopeKind.Actor, OwnerId = owner },
            Content = content,
            Provenance = new MemoryProvenance { SourceRequestId = "req-earlier", SourceType = "conversation" },
            CreatedAt = now.AddDays(-1),
            UpdatedAt = now.AddDays(-1),
            ExpiresAt = expiresAt,
        };
        var store = new ScopeIgnoringMemoryStore(
            Item("mine", "user-test", "I prefer e-mail."),
            Item("colleague", "user-other", "My salary is 91k."),
            Item("stale", "user-test", "My old address.", expiresAt: now.AddHours(-1)));
        await using var harness = AgentTestHarness.Create(b => b.UseMemoryStore(_ => store), ScriptedReply.Answer("ok"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("How should you contact me?") with { Memory = new MemoryPolicy { Mode = MemoryMode.Read } });

        var prompt = string.Join('\n', harness.Engine.Requests[0].Messages.Select(m => m.Content));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(prompt, Does.Contain("I prefer e-mail."));
            Assert.That(prompt, Does.Not.Contain("91k"), "another actor's memory");
            Assert.That(prompt, Does.Not.Contain("old address"), "an expired item");
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.ContextSource).Single().ReasonCodes, Does.Contain("memory.items_dropped"));
        });
    }

    /// <summary>A store that returns everything it holds, whatever the query's scope (a faulty custom store).</summary>
    private sealed class ScopeIgnoringMemoryStore(params MemoryItem[] items) : IMemoryStore
    {
        public ValueTask<MemoryItem> RetainAsync(MemoryWrite item, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<MemoryItem?> CorrectAsync(MemoryScope scope, string itemId, string content, string reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<MemoryItem> ConsolidateAsync(MemoryScope scope, IReadOnlyList<string> itemIds, MemoryWrite consolidated, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<MemoryItem> SearchAsync(MemoryQuery query, CancellationToken cancellationToken = default) => items.ToAsyncEnumerable();

        public IAsyncEnumerable<MemoryItem> ExportAsync(MemoryScope scope, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<bool> DeleteAsync(MemoryScope scope, string itemId, string reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    /// <summary>A deployment whose engine counts tokens as words (a stand-in for a local model's tokenizer).</summary>
    private sealed class WordCountingEngine(IInferenceEngine inner) : DelegatingInferenceEngine(inner), ITokenCounter
    {
        public int CountTokens(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ITokenCounter) ? this : base.GetService(serviceType, serviceKey);
    }

    private sealed class FailingMemoryStore(Exception? failure = null) : IMemoryStore
    {
        public ValueTask<MemoryItem> RetainAsync(MemoryWrite item, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<MemoryItem?> CorrectAsync(MemoryScope scope, string itemId, string content, string reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<MemoryItem> ConsolidateAsync(MemoryScope scope, IReadOnlyList<string> itemIds, MemoryWrite consolidated, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public async IAsyncEnumerable<MemoryItem> SearchAsync(MemoryQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            throw failure ?? new IOException("memory store unreachable");
#pragma warning disable CS0162 // An iterator needs a yield; the store fails before producing anything.
            yield break;
#pragma warning restore CS0162
        }

        public IAsyncEnumerable<MemoryItem> ExportAsync(MemoryScope scope, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<bool> DeleteAsync(MemoryScope scope, string itemId, string reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
