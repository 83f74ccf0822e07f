using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.SqlCipher.Tests.Memory;

/// <summary>
/// Stage 13 through the runtime on the encrypted store: a completed request with a read-write memory policy retains what
/// the memory decider proposes and policy permits — in the request's own scope, with provenance and expiry, recorded by
/// digest; a refusal (or a policy that cannot decide) retains nothing, is explained in evidence, and the answer stands.
/// </summary>
public sealed class MemoryDecisionTests
{
    private const string Tenant = "acme";
    private string directory = null!;

    [SetUp]
    public void SetUp()
    {
        directory = Path.Combine(Path.GetTempPath(), "aruntime-memory-decision", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(directory, recursive: true);

    /// <summary>Proposes remembering the answer, in the scope it is given or in <see cref="Scope"/> when set.</summary>
    private sealed class RememberAnswer : IMemoryDecider
    {
        public MemoryScope? Scope { get; init; }

        public int Calls { get; private set; }

        public ValueTask<IReadOnlyList<MemoryWrite>> DecideAsync(MemoryDecisionContext context, CancellationToken cancellationToken = default)
        {
            Calls++;
            IReadOnlyList<MemoryWrite> writes =
            [
                new MemoryWrite
                {
                    Scope = Scope ?? context.Scope,
                    Content = "Preference noted: " + context.Answer,
                    Provenance = new MemoryProvenance { SourceType = "answer", SourceRequestId = context.RequestId, SourceActorId = context.Request.Identity.Actor.Id },
                    Classification = context.AnswerClassification,
                },
            ];
            return ValueTask.FromResult(writes);
        }
    }

    private sealed class ThrowingMemoryPolicy(IPolicyEngine inner) : IPolicyEngine
    {
        public ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default) =>
            context.Action == PolicyAction.MemoryRetention ? throw new HttpRequestException("policy service unreachable") : inner.EvaluateAsync(context, cancellationToken);
    }

    private ServiceProvider Runtime(FakeTimeProvider time, IMemoryDecider decider, Action<ARuntimeBuilder>? more = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        var builder = services.AddARuntime(o => o.ApplicationRelease = "test/1")
            .AddEngine("scripted", new ScriptedInferenceEngine(time, ScriptedReply.Answer("email, not phone")))
            .UseMemoryDecider(_ => decider)
            .UseSqlCipherStore(o => TestStore.InDirectory(o, directory));
        more?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    private static RuntimeRequest Request(MemoryMode mode = MemoryMode.ReadWrite) => new()
    {
        Identity = new RequestIdentity { TenantId = Tenant, Actor = new ActorIdentity { Id = "u1" } },
        Task = new AgentTask { Prompt = "How should we contact me?" },
        Memory = new MemoryPolicy { Mode = mode, Scope = MemoryScopeKind.Actor, RetainFor = TimeSpan.FromDays(30) },
    };

    private static async Task<List<EvidenceRecord>> RecordsAsync(ServiceProvider provider, string requestId, string kind) =>
        await provider.GetRequiredService<IEvidenceReader>().QueryAsync(new EvidenceQuery { TenantId = Tenant, RequestId = requestId, Kind = kind }).ToListAsync();

    [Test]
    public async Task A_completed_request_retains_the_proposal_in_its_own_scope_with_provenance_expiry_and_a_digest_in_evidence()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.Zero));
        var decider = new RememberAnswer();
        await using var provider = Runtime(time, decider);

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Request());

        var items = await provider.GetRequiredService<IMemoryStore>().ExportAsync(MemoryScope.ForActor(Tenant, "u1")).ToListAsync();
        var changes = await RecordsAsync(provider, result.RequestId, EvidenceKinds.MemoryChange);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            var item = items.Single();
            Assert.That(item.Content, Is.EqualTo("Preference noted: email, not phone"));
            Assert.That(item.Provenance.SourceRequestId, Is.EqualTo(result.RequestId));
            Assert.That(item.ExpiresAt, Is.EqualTo(time.GetUtcNow() + TimeSpan.FromDays(30)));
            var change = changes.Single();
            Assert.That(change.Decision, Is.EqualTo("retained"));
            Assert.That(change.Attributes["memory.id"], Is.EqualTo(item.Id));
            Assert.That(change.Payloads.Single().Content, Is.Null, "evidence holds a digest, not the remembered text");
        });
    }

    [Test]
    public async Task A_proposal_for_another_tenant_is_retained_in_the_requests_own_scope()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.Zero));
        await using var provider = Runtime(time, new RememberAnswer { Scope = MemoryScope.ForTenant("other-tenant") });

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Request());

        var store = provider.GetRequiredService<IMemoryStore>();
        Assert.Multiple(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(await store.ExportAsync(MemoryScope.ForTenant("other-tenant")).CountAsync(), Is.Zero);
            Assert.That(await store.ExportAsync(MemoryScope.ForActor(Tenant, "u1")).CountAsync(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_policy_refusal_retains_nothing_and_is_explained_in_evidence()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.Zero));
        await using var provider = Runtime(time, new RememberAnswer(), b => b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule
        {
            Id = "no-memory",
            Action = PolicyAction.MemoryRetention,
            Outcome = PolicyOutcome.Deny,
            ReasonCodes = ["memory.not_permitted"],
        })));

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Request());

        var refusal = (await RecordsAsync(provider, result.RequestId, EvidenceKinds.PolicyDecision)).Single(r => r.Stage == LifecycleStage.MemoryDecision);
        Assert.Multiple(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(await provider.GetRequiredService<IMemoryStore>().ExportAsync(MemoryScope.ForActor(Tenant, "u1")).CountAsync(), Is.Zero);
            Assert.That(refusal.Outcome, Is.EqualTo(StageOutcome.Denied));
            Assert.That(refusal.ReasonCodes, Does.Contain("memory.not_permitted"));
            Assert.That(refusal.Attributes["policy.action"], Is.EqualTo("MemoryRetention"));
            Assert.That(refusal.Payloads.Single().Content, Is.Null);
        });
    }

    [Test]
    public async Task A_policy_that_cannot_decide_retains_nothing_and_the_answer_stands()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.Zero));
        await using var provider = Runtime(time, new RememberAnswer(), b => b.UsePolicyEngine(sp => new ThrowingMemoryPolicy(new RuleBasedPolicyEngine(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ARuntimeOptions>>()))));

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Request());

        var refusal = (await RecordsAsync(provider, result.RequestId, EvidenceKinds.PolicyDecision)).Single(r => r.Stage == LifecycleStage.MemoryDecision);
        Assert.Multiple(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.Answer, Is.EqualTo("email, not phone"));
            Assert.That(await provider.GetRequiredService<IMemoryStore>().ExportAsync(MemoryScope.ForActor(Tenant, "u1")).CountAsync(), Is.Zero);
            Assert.That(refusal.ReasonCodes, Does.Contain("policy.error"));
        });
    }

    /// <summary>The real store, except that retaining fails (a full disk, say).</summary>
    private sealed class RetainFails(IMemoryStore inner) : IMemoryStore
    {
        public ValueTask<MemoryItem> RetainAsync(MemoryWrite item, CancellationToken cancellationToken = default) => throw new IOException("disk full");

        public ValueTask<MemoryItem?> CorrectAsync(MemoryScope scope, string itemId, string content, string reason, CancellationToken cancellationToken = default) => inner.CorrectAsync(scope, itemId, content, reason, cancellationToken);

        public ValueTask<MemoryItem> ConsolidateAsync(MemoryScope scope, IReadOnlyList<string> itemIds, MemoryWrite consolidated, CancellationToken cancellationToken = default) => inner.ConsolidateAsync(scope, itemIds, consolidated, cancellationToken);

        public IAsyncEnumerable<MemoryItem> SearchAsync(MemoryQuery query, CancellationToken cancellationToken = default) => inner.SearchAsync(query, cancellationToken);

        public IAsyncEnumerable<MemoryItem> ExportAsync(MemoryScope scope, CancellationToken cancellationToken = default) => inner.ExportAsync(scope, cancellationToken);

        public ValueTask<bool> DeleteAsync(MemoryScope scope, string itemId, string reason, CancellationToken cancellationToken = default) => inner.DeleteAsync(scope, itemId, reason, cancellationToken);
    }

    private sealed class ThrowingDecider : IMemoryDecider
    {
        public ValueTask<IReadOnlyList<MemoryWrite>> DecideAsync(MemoryDecisionContext context, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("decider bug");
    }

    [Test]
    public async Task A_memory_store_that_fails_costs_the_memory_write_not_the_answer()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.Zero));
        await using var provider = Runtime(time, new RememberAnswer(), b => b.Services.AddSingleton<IMemoryStore>(sp => new RetainFails(sp.GetRequiredService<SqlCipherStore>().Memory)));

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Request());

        var stage = (await RecordsAsync(provider, result.RequestId, EvidenceKinds.Stage)).Single(r => r.Stage == LifecycleStage.MemoryDecision);
        Assert.Multiple(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.Answer, Is.EqualTo("email, not phone"));
            Assert.That(result.Qualifications, Has.Some.Contains("Memory was not updated").And.Some.Contains("IOException"));
            Assert.That(await provider.GetRequiredService<SqlCipherStore>().Memory.ExportAsync(MemoryScope.ForActor(Tenant, "u1")).CountAsync(), Is.Zero);
            Assert.That(stage.Outcome, Is.EqualTo(StageOutcome.Failed));
            Assert.That(stage.ReasonCodes, Does.Contain("memory.store_failed"));
        });
    }

    [Test]
    public async Task A_memory_decider_that_throws_costs_the_memory_write_not_the_answer()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.Zero));
        await using var provider = Runtime(time, new ThrowingDecider());

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Request());

        var stage = (await RecordsAsync(provider, result.RequestId, EvidenceKinds.Stage)).Single(r => r.Stage == LifecycleStage.MemoryDecision);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.Answer, Is.EqualTo("email, not phone"));
            Assert.That(result.Qualifications, Has.Some.Contains("memory decider failed"));
            Assert.That(stage.ReasonCodes, Does.Contain("memory.decider_failed"));
        });
    }

    [Test]
    public async Task A_read_only_memory_policy_never_asks_the_decider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.Zero));
        var decider = new RememberAnswer();
        await using var provider = Runtime(time, decider);

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Request(MemoryMode.Read));

        Assert.Multiple(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(decider.Calls, Is.Zero);
            Assert.That(await provider.GetRequiredService<IMemoryStore>().ExportAsync(MemoryScope.ForActor(Tenant, "u1")).CountAsync(), Is.Zero);
        });
    }
}
