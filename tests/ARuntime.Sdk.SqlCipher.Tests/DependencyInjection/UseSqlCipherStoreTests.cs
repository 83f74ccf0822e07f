using Desc = System.ComponentModel.DescriptionAttribute;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.SqlCipher.Approvals;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Idempotency;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Memory;
using ARuntime.Sdk.SqlCipher.Recovery;
using ARuntime.Sdk.SqlCipher.Tests.Memory;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.SqlCipher.Tests.DependencyInjection;

public sealed class UseSqlCipherStoreTests
{
    private string directory = null!;

    [SetUp]
    public void SetUp()
    {
        directory = Path.Combine(Path.GetTempPath(), "aruntime-sqlcipher-di", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(directory, recursive: true);

    [Desc("Gets an order's status.")]
    private static object GetOrderStatus([Desc("The order id")] string orderId) => new { orderId, status = "shipped" };

    /// <summary>Runs one order question (a tool call, then an answer) through a runtime on a SQLCipher store; returns its request id.</summary>
    private static async Task<string> RunOrderRequestAsync(Action<SqlCipherStoreOptions> store)
    {
        var services = new ServiceCollection();
        services.AddARuntime(o => o.ApplicationRelease = "test/1")
            .AddEngine("scripted", new ScriptedInferenceEngine(
                ScriptedReply.CallTool("get_order_status", new { orderId = "A-1" }),
                ScriptedReply.Answer("Your order shipped.")))
            .AddTool(GetOrderStatus, o =>
            {
                o.Name = "get_order_status";
                o.PermissionClass = "orders.read";
                o.SideEffect = SideEffectClass.Read;
            })
            .UseSqlCipherStore(store);
        await using var provider = services.BuildServiceProvider();
        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(new RuntimeRequest
        {
            Identity = new RequestIdentity
            {
                TenantId = "acme",
                Actor = new ActorIdentity { Id = "u1", Roles = ["orders.read"] },
                Workload = new WorkloadIdentity { Id = "tests", Release = "test/1" },
            },
            Task = new AgentTask { Prompt = "Where is my order A-1?" },
            AllowedTools = ["get_order_status"],
            Route = new ModelRoute { Deployment = "scripted" },
        });
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        return result.RequestId;
    }

    [Test]
    public async Task One_call_replaces_every_in_memory_store_whatever_the_order()
    {
        var services = new ServiceCollection();
        services.AddARuntime(o => o.ApplicationRelease = "test/1")
            .UseInMemoryEvidence()
            .UseSqlCipherStore(o => TestStore.InDirectory(o, directory));
        await using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IEvidenceSink>(), Is.TypeOf<SqlCipherEvidenceStore>());
            Assert.That(provider.GetRequiredService<IEvidenceReader>(), Is.TypeOf<SqlCipherEvidenceStore>());
            Assert.That(provider.GetRequiredService<IMemoryStore>(), Is.TypeOf<SqlCipherMemoryStore>());
            Assert.That(provider.GetRequiredService<IIdempotencyStore>(), Is.TypeOf<SqlCipherIdempotencyStore>());
            Assert.That(provider.GetRequiredService<IOperationLedger>(), Is.TypeOf<SqlCipherOperationLedger>());
            Assert.That(provider.GetRequiredService<IApprovalStore>(), Is.TypeOf<SqlCipherApprovalStore>());
            Assert.That(provider.GetRequiredService<IRequestJournal>(), Is.TypeOf<SqlCipherRequestJournal>());
            Assert.That(provider.GetServices<IEvidenceSink>().Count(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Missing_options_fail_validation_with_the_option_named()
    {
        var services = new ServiceCollection();
        services.AddARuntime().UseSqlCipherStore(o => o.DatabasePath = Path.Combine(directory, "store.db"));
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IOptions<SqlCipherStoreOptions>>().Value, Throws.TypeOf<OptionsValidationException>().With.Message.Contains("KeyProvider is required"));
    }

    [Test]
    public async Task A_request_run_by_the_runtime_leaves_durable_verifiable_encrypted_evidence()
    {
        var database = Path.Combine(directory, "store.db");
        var keyFile = Path.Combine(directory, "store.key");
        var requestId = await RunOrderRequestAsync(o =>
        {
            o.DatabasePath = database;
            o.KeyProvider = StoreKeyProvider.FromFile(keyFile, createIfMissing: true);
        });

        // A new process: the evidence is in the encrypted file and the log verifies.
        await using var store = await SqlCipherStore.OpenAsync(new SqlCipherStoreOptions { DatabasePath = database, KeyProvider = StoreKeyProvider.FromFile(keyFile) });
        var records = await store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme", RequestId = requestId }).ToListAsync();
        var report = await store.Evidence.VerifyAsync("acme");

        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.Stage).Distinct().Count(), Is.EqualTo(16), "every lifecycle stage left a record");
            Assert.That(records.SelectMany(r => r.Flags), Does.Not.Contain("volatile-storage").And.Not.Contain(SqlCipherEvidenceFlags.PlaintextStorage));
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.TreeSize, Is.GreaterThanOrEqualTo(records.Count));
        });
    }

    [Test]
    public async Task In_plaintext_development_mode_every_record_the_runtime_and_the_store_write_carries_the_plaintext_flag()
    {
        var database = Path.Combine(directory, "dev.db");
        var requestId = await RunOrderRequestAsync(o =>
        {
            o.DatabasePath = database;
            o.AllowPlaintextForDevelopment = true;
        });

        // The records the store writes itself: memory changes, payload and tenant erasure, the retention purge.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 9, 30, 0, TimeSpan.Zero));
        await using var store = await SqlCipherStore.OpenAsync(new SqlCipherStoreOptions { DatabasePath = database, AllowPlaintextForDevelopment = true, PurgeInterval = TimeSpan.Zero, StoreRawPayloadContent = true }, time);
        var alice = MemoryScope.ForActor("acme", "alice");
        await store.Memory.RetainAsync(MemoryStoreTests.Write(alice, "parking spot B12 today") with { ExpiresAt = time.GetUtcNow().AddMinutes(5) });
        var tea = await store.Memory.RetainAsync(MemoryStoreTests.Write(alice, "likes tea"));
        await store.Memory.CorrectAsync(alice, tea.Id, "likes green tea", "typo");
        var consolidated = await store.Memory.ConsolidateAsync(alice, [tea.Id], MemoryStoreTests.Write(alice, "likes green tea without sugar"));
        await store.Memory.DeleteAsync(alice, consolidated.Id, "user request");
        await store.Evidence.WriteAsync(TestStore.Record("acme", 1, kind: "custom.kind", payloads: TestStore.Payload("prompt", "a development prompt", keepContent: true)), EvidenceDurability.Acknowledged);
        await store.Evidence.ErasePayloadsAsync("acme", "acme-rec-000001", "redaction");
        time.Advance(TimeSpan.FromMinutes(10));
        var purged = await store.PurgeExpiredAsync();
        await store.Evidence.WriteAsync(TestStore.Record("beta", 1), EvidenceDurability.Durable);
        await store.EraseTenantAsync("beta", "offboarding");

        var records = await store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme" }).ToListAsync();
        records.AddRange(await store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "beta" }).ToListAsync());
        var report = await store.Evidence.VerifyAsync("acme");

        Assert.Multiple(() =>
        {
            Assert.That(store.Library.Encrypted, Is.False);
            Assert.That(purged.MemoryItems, Is.EqualTo(1));
            Assert.That(records.Where(r => r.RequestId == requestId).Select(r => r.Stage).Distinct().Count(), Is.EqualTo(16), "the runtime's request left a record at every stage");
            Assert.That(
                records.Select(r => r.Kind),
                Is.SupersetOf(new[] { "custom.kind", "memory.retained", "memory.corrected", "memory.consolidated", "memory.deleted", "memory.purged", "evidence.payloads.erased", "tenant.erased" }));
            Assert.That(records.Where(r => !r.Flags.Contains(SqlCipherEvidenceFlags.PlaintextStorage)).Select(r => $"{r.TenantId}/{r.Kind}"), Is.Empty, "records without the plaintext-storage flag");
            Assert.That(report.IsValid, Is.True, "the flag is part of each committed leaf: " + report.Message);
        });
    }
}
