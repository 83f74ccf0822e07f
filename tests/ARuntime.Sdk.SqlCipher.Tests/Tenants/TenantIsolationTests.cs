using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.SqlCipher.Tests.Approvals;
using ARuntime.Sdk.SqlCipher.Tests.Memory;

namespace ARuntime.Sdk.SqlCipher.Tests.Tenants;

/// <summary>Tenant B tries to read, search, export, change and delete tenant A's data through every API; every attempt fails.</summary>
public sealed class TenantIsolationTests
{
    private static readonly MemoryScope AliceInA = MemoryScope.ForActor("tenant-a", "alice");
    private static readonly MemoryScope AliceInB = MemoryScope.ForActor("tenant-b", "alice");

    private TestStore test = null!;
    private MemoryItem itemA = null!;

    [SetUp]
    public async Task SeedTenantAAsync()
    {
        test = await TestStore.OpenAsync(o => o.StoreRawPayloadContent = true);
        await test.Store.Evidence.WriteAsync(
            TestStore.Record("tenant-a", 1, requestId: "req-a", payloads: TestStore.Payload("prompt", "tenant A secret prompt", keepContent: true)) with { CorrelationId = "corr-a" },
            EvidenceDurability.Durable);
        itemA = await MemoryStoreTests.Retain(test, AliceInA, "tenant A knows the launch date is June 3");
        await MemoryStoreTests.Retain(test, MemoryScope.ForTenant("tenant-a"), "tenant A shared launch plan");
        await test.Store.Idempotency.TryClaimAsync("tenant-a", "key-1", "digest-a", "req-a", test.Time.GetUtcNow().AddHours(1));
        await test.Store.Operations.TryStartAsync("tenant-a", "op-1", "send", "req-a");
        await test.Store.Approvals.SaveAsync(ApprovalStoreTests.Paused("tenant-a", "ap-a", test.Time.GetUtcNow()));
        await test.Store.Journal.UpsertAsync(new RequestJournalEntry
        {
            TenantId = "tenant-a",
            RequestId = "req-a",
            ActorId = "alice",
            State = ARuntime.Sdk.RequestState.Running,
            StartedAt = test.Time.GetUtcNow(),
            UpdatedAt = test.Time.GetUtcNow(),
        });

        // Tenant B exists too (its own key, its own log).
        await test.Store.Evidence.WriteAsync(TestStore.Record("tenant-b", 1), EvidenceDurability.Durable);
        await MemoryStoreTests.Retain(test, AliceInB, "tenant B note");
    }

    [TearDown]
    public async Task DisposeAsync() => await test.DisposeAsync();

    [Test]
    public async Task Evidence_of_another_tenant_is_never_returned()
    {
        var evidence = test.Store.Evidence;
        Assert.Multiple(async () =>
        {
            Assert.That(await evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-b", RequestId = "req-a" }).CountAsync(), Is.Zero);
            Assert.That(await evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-b", CorrelationId = "corr-a" }).CountAsync(), Is.Zero);
            Assert.That((await evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-b" }).ToListAsync()).Select(r => r.TenantId), Is.All.EqualTo("tenant-b"));
            Assert.That(await evidence.GetInclusionProofAsync("tenant-b", "tenant-a-rec-000001"), Is.Null);
            Assert.That((await evidence.GetTreeHeadAsync("tenant-b")).TreeSize, Is.EqualTo(2), "its own stage and memory.retained records");
            Assert.That(await evidence.ErasePayloadsAsync("tenant-b", "tenant-a-rec-000001", "attack"), Is.Zero);
            var a = await evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-a", RequestId = "req-a" }).SingleAsync();
            Assert.That(a.Payloads[0].Content, Is.EqualTo("tenant A secret prompt"), "A's payload is intact");
        });
    }

    [Test]
    public async Task Memory_of_another_tenant_cannot_be_read_searched_exported_changed_or_deleted()
    {
        var memory = test.Store.Memory;
        Assert.Multiple(async () =>
        {
            Assert.That(await memory.SearchAsync(new MemoryQuery { Scope = AliceInB, Text = "launch june" }).CountAsync(), Is.Zero);
            Assert.That(await memory.SearchAsync(new MemoryQuery { Scope = MemoryScope.ForTenant("tenant-b"), Text = "launch plan" }).CountAsync(), Is.Zero);
            Assert.That((await memory.ExportAsync(AliceInB).ToListAsync()).Select(i => i.Content), Is.EqualTo(new[] { "tenant B note" }));
            Assert.That(await memory.GetAsync(AliceInB, itemA.Id), Is.Null);
            Assert.That(await memory.GetHistoryAsync(AliceInB, itemA.Id), Is.Null);
            Assert.That(await memory.CorrectAsync(AliceInB, itemA.Id, "overwritten", "attack"), Is.Null);
            Assert.That(await memory.DeleteAsync(AliceInB, itemA.Id, "attack"), Is.False);
            Assert.That(async () => await memory.ConsolidateAsync(AliceInB, [itemA.Id], MemoryStoreTests.Write(AliceInB, "stolen")), Throws.InstanceOf<ArgumentException>());
            Assert.That((await memory.GetAsync(AliceInA, itemA.Id))!.Content, Is.EqualTo("tenant A knows the launch date is June 3"), "A's item is intact");
        });
    }

    [Test]
    public async Task Another_actor_of_the_same_tenant_does_not_see_an_actor_scoped_item()
    {
        var bobInA = MemoryScope.ForActor("tenant-a", "bob");
        Assert.Multiple(async () =>
        {
            Assert.That(await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = bobInA, Text = "launch" }).CountAsync(), Is.Zero);
            Assert.That(await test.Store.Memory.GetAsync(bobInA, itemA.Id), Is.Null);
            Assert.That(await test.Store.Memory.DeleteAsync(bobInA, itemA.Id, "attack"), Is.False);
        });
    }

    [Test]
    public async Task Idempotency_keys_operations_approvals_and_journal_entries_are_per_tenant()
    {
        var expires = test.Time.GetUtcNow().AddHours(1);
        var bClaim = await test.Store.Idempotency.TryClaimAsync("tenant-b", "key-1", "digest-b", "req-b", expires);
        var aClaim = await test.Store.Idempotency.TryClaimAsync("tenant-a", "key-1", "digest-a", "req-a2", expires);
        var bOperation = await test.Store.Operations.TryStartAsync("tenant-b", "op-1", "send", "req-b");
        var aOperation = await test.Store.Operations.TryStartAsync("tenant-a", "op-1", "send", "req-a2");
        await test.Store.Operations.AbandonAsync("tenant-b", "op-1");

        Assert.Multiple(async () =>
        {
            Assert.That(bClaim.Status, Is.EqualTo(IdempotencyClaimStatus.Claimed), "B's key namespace is its own");
            Assert.That(aClaim.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress), "A's claim is untouched");
            Assert.That(bOperation.Status, Is.EqualTo(OperationClaimStatus.Started));
            Assert.That(aOperation.Status, Is.EqualTo(OperationClaimStatus.InDoubt), "A's start is untouched by B");
            Assert.That(await test.Store.Approvals.GetAsync("tenant-b", "ap-a"), Is.Null);
            Assert.That(await test.Store.Approvals.TryClaimAsync("tenant-b", "ap-a"), Is.Null);
            Assert.That(await test.Store.Approvals.ListPendingAsync("tenant-b").CountAsync(), Is.Zero);
            Assert.That(await test.Store.Approvals.GetAsync("tenant-a", "ap-a"), Is.Not.Null, "A's approval is still pending");
            Assert.That(await test.Store.Journal.GetAsync("tenant-b", "req-a"), Is.Null);
        });
    }

    [Test]
    public async Task Erasing_one_tenant_leaves_the_other_intact()
    {
        await test.Store.EraseTenantAsync("tenant-b", "offboarding");

        Assert.Multiple(async () =>
        {
            Assert.That((await test.Store.Memory.GetAsync(AliceInA, itemA.Id))!.Content, Does.Contain("June 3"));
            Assert.That((await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-a" }).FirstAsync()).Payloads[0].Content, Is.EqualTo("tenant A secret prompt"));
            Assert.That(await test.Store.Approvals.GetAsync("tenant-a", "ap-a"), Is.Not.Null);
            Assert.That((await test.Store.Evidence.VerifyAsync("tenant-a")).IsValid, Is.True);
        });
    }
}
