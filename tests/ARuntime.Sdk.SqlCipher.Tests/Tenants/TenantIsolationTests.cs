using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.Tools;
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
    public async Task Checkpoints_consistency_proofs_and_verification_cover_only_the_tenant_asked_for()
    {
        var evidence = test.Store.Evidence;
        var aCheckpoint = await evidence.CreateCheckpointAsync("tenant-a");
        var aHead = await evidence.GetTreeHeadAsync("tenant-a");
        var bHead = await evidence.GetTreeHeadAsync("tenant-b");
        Assert.That(aHead.TreeSize, Is.GreaterThan(bHead.TreeSize), "A's log is the longer one, so reading it for B would show");

        var bLatestBefore = await evidence.GetLatestCheckpointAsync("tenant-b");
        var bCheckpoint = await evidence.CreateCheckpointAsync("tenant-b");
        var bLatest = await evidence.GetLatestCheckpointAsync("tenant-b");
        var aLatest = await evidence.GetLatestCheckpointAsync("tenant-a");
        var bProof = await evidence.GetConsistencyProofAsync("tenant-b", 1);
        var bReport = await evidence.VerifyAsync("tenant-b");
        var aReport = await evidence.VerifyAsync("tenant-a");

        Assert.Multiple(() =>
        {
            Assert.That(bLatestBefore, Is.Null, "A's checkpoint is not B's");
            Assert.That(bCheckpoint.Origin, Is.EqualTo(bHead.Origin).And.Not.EqualTo(aCheckpoint.Origin));
            Assert.That(bCheckpoint.TreeSize, Is.EqualTo(bHead.TreeSize));
            Assert.That(bCheckpoint.RootHash.ToArray(), Is.EqualTo(bHead.RootHash.ToArray()));
            Assert.That(bLatest!.Note, Is.EqualTo(bCheckpoint.Note));
            Assert.That(aLatest!.Note, Is.EqualTo(aCheckpoint.Note), "B's checkpoint did not become A's latest");
            Assert.That(aLatest.TreeSize, Is.EqualTo(aHead.TreeSize));

            Assert.That(bProof.TenantId, Is.EqualTo("tenant-b"));
            Assert.That(bProof.SecondSize, Is.EqualTo(bHead.TreeSize));
            Assert.That(bProof.SecondRoot.ToArray(), Is.EqualTo(bHead.RootHash.ToArray()).And.Not.EqualTo(aHead.RootHash.ToArray()));
            Assert.That(bProof.Verify(), Is.True);
            Assert.That(
                async () => await evidence.GetConsistencyProofAsync("tenant-b", aHead.TreeSize),
                Throws.TypeOf<ArgumentOutOfRangeException>(),
                "B's log is shorter than A's; a proof at A's size does not exist for B");

            Assert.That(bReport.IsValid, Is.True, bReport.Message);
            Assert.That(bReport.TenantId, Is.EqualTo("tenant-b"));
            Assert.That(bReport.TreeSize, Is.EqualTo(bHead.TreeSize));
            Assert.That(bReport.RecordsChecked, Is.EqualTo(bHead.TreeSize), "only B's records are verified for B");
            Assert.That(bReport.CheckpointsChecked, Is.EqualTo(1), "only B's checkpoint is verified for B");
            Assert.That(aReport.IsValid, Is.True, aReport.Message);
            Assert.That(aReport.TreeSize, Is.EqualTo(aHead.TreeSize));
            Assert.That(aReport.CheckpointsChecked, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Evidence_filters_that_match_only_another_tenants_record_return_nothing()
    {
        var evidence = test.Store.Evidence;
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await evidence.WriteAsync(
            TestStore.Record("tenant-a", 2, requestId: "req-a", kind: "tool.call.a-only", stage: LifecycleStage.ToolExecution, timestamp: at) with { Outcome = StageOutcome.Failed },
            EvidenceDurability.Durable);
        var filters = new (string Name, Func<string, EvidenceQuery> Query)[]
        {
            ("From/To", t => new EvidenceQuery { TenantId = t, From = at, To = at.AddSeconds(1) }),
            ("From", t => new EvidenceQuery { TenantId = t, From = at }), // A's record is the latest of all
            ("Stage", t => new EvidenceQuery { TenantId = t, Stage = LifecycleStage.ToolExecution }),
            ("Kind", t => new EvidenceQuery { TenantId = t, Kind = "tool.call.a-only" }),
            ("Outcome", t => new EvidenceQuery { TenantId = t, Outcome = StageOutcome.Failed }),
            ("all", t => new EvidenceQuery { TenantId = t, From = at, To = at.AddSeconds(1), Stage = LifecycleStage.ToolExecution, Kind = "tool.call.a-only", Outcome = StageOutcome.Failed }),
        };

        foreach (var (name, query) in filters)
        {
            var forA = await evidence.QueryAsync(query("tenant-a")).Select(r => r.RecordId).ToListAsync();
            var forB = await evidence.QueryAsync(query("tenant-b")).Select(r => r.RecordId).ToListAsync();
            Assert.Multiple(() =>
            {
                Assert.That(forA, Is.EqualTo(new[] { "tenant-a-rec-000002" }), $"{name}: the filter matches A's record for A");
                Assert.That(forB, Is.Empty, $"{name}: the same filter finds nothing for B");
            });
        }
    }

    [Test]
    public async Task Json_export_of_another_tenants_scope_holds_none_of_the_first_tenants_items()
    {
        var memory = test.Store.Memory;
        using var actorExport = new MemoryStream();
        using var tenantExport = new MemoryStream();
        using var ownExport = new MemoryStream();

        var actorCount = await memory.ExportJsonAsync(AliceInB, actorExport);
        var tenantCount = await memory.ExportJsonAsync(MemoryScope.ForTenant("tenant-b"), tenantExport);
        var ownCount = await memory.ExportJsonAsync(AliceInA, ownExport);
        var actorJson = Encoding.UTF8.GetString(actorExport.ToArray());
        var tenantJson = Encoding.UTF8.GetString(tenantExport.ToArray());
        var actorItems = JsonSerializer.Deserialize(actorJson, ARuntimeJsonContext.Default.IReadOnlyListMemoryItem)!;
        var tenantItems = JsonSerializer.Deserialize(tenantJson, ARuntimeJsonContext.Default.IReadOnlyListMemoryItem)!;

        Assert.Multiple(() =>
        {
            Assert.That(actorCount, Is.EqualTo(1));
            Assert.That(actorItems.Select(i => i.Content), Is.EqualTo(new[] { "tenant B note" }));
            Assert.That(actorItems.Select(i => i.Scope.TenantId), Is.All.EqualTo("tenant-b"));
            Assert.That(tenantCount, Is.Zero, "A's tenant-wide item is not in B's tenant-wide export");
            Assert.That(tenantItems, Is.Empty);
            foreach (var json in new[] { actorJson, tenantJson })
            {
                Assert.That(json, Does.Not.Contain("launch").And.Not.Contain(itemA.Id).And.Not.Contain("tenant-a"));
            }

            Assert.That(ownCount, Is.EqualTo(1));
            Assert.That(Encoding.UTF8.GetString(ownExport.ToArray()), Does.Contain("June 3"), "A's own export is intact");
        });
    }

    [Test]
    public async Task Another_tenant_cannot_complete_or_release_an_idempotency_key_nor_complete_or_abandon_an_operation()
    {
        var forged = new AgentResult { RequestId = "req-b", Status = AgentRunStatus.Completed, Answer = "forged by tenant B" };
        Assert.Multiple(() =>
        {
            Assert.That(async () => await test.Store.Idempotency.CompleteAsync("tenant-b", "key-1", forged), Throws.TypeOf<InvalidOperationException>());
            Assert.That(async () => await test.Store.Operations.CompleteAsync("tenant-b", "op-1", ToolResult.Failure("forged by tenant B")), Throws.TypeOf<InvalidOperationException>());
        });
        var released = await test.Store.Idempotency.ReleaseAsync("tenant-b", "key-1", "req-a");
        var abandoned = await test.Store.Operations.AbandonAsync("tenant-b", "op-1", "req-a");

        var expires = test.Time.GetUtcNow().AddHours(1);
        var aClaim = await test.Store.Idempotency.TryClaimAsync("tenant-a", "key-1", "digest-a", "req-a2", expires);
        var aOperation = await test.Store.Operations.TryStartAsync("tenant-a", "op-1", "send", "req-a2");
        var bClaim = await test.Store.Idempotency.TryClaimAsync("tenant-b", "key-1", "digest-a", "req-b", expires);
        var bOperation = await test.Store.Operations.TryStartAsync("tenant-b", "op-1", "send", "req-b");

        Assert.Multiple(() =>
        {
            Assert.That(released, Is.False, "B released nothing");
            Assert.That(abandoned, Is.False, "B abandoned nothing");
            Assert.That(aClaim.Status, Is.EqualTo(IdempotencyClaimStatus.InProgress), "A's key is neither completed nor released");
            Assert.That(aClaim.OriginalRequestId, Is.EqualTo("req-a"));
            Assert.That(aClaim.Result, Is.Null);
            Assert.That(aOperation.Status, Is.EqualTo(OperationClaimStatus.InDoubt), "A's operation is neither completed nor abandoned");
            Assert.That(aOperation.StartedByRequestId, Is.EqualTo("req-a"));
            Assert.That(aOperation.Result, Is.Null);
            Assert.That(bClaim.Status, Is.EqualTo(IdempotencyClaimStatus.Claimed), "B's attempts left no key in B's namespace");
            Assert.That(bOperation.Status, Is.EqualTo(OperationClaimStatus.Started), "B's attempts left no operation in B's namespace");
        });
    }

    [Test]
    public async Task Another_tenant_saving_under_the_same_approval_id_neither_overwrites_nor_sees_the_first()
    {
        var template = ApprovalStoreTests.Paused("tenant-b", "ap-a", test.Time.GetUtcNow());
        await test.Store.Approvals.SaveAsync(template with
        {
            Checkpoint = Encoding.UTF8.GetBytes("{\"messages\":[\"transfer 9999 EUR to Mallory\"]}"),
            Ticket = template.Ticket with { RequestId = "req-b", RequestedBy = "mallory" },
        });

        var a = await test.Store.Approvals.GetAsync("tenant-a", "ap-a");
        var b = await test.Store.Approvals.GetAsync("tenant-b", "ap-a");
        var aPending = await test.Store.Approvals.ListPendingAsync("tenant-a").ToListAsync();
        var bClaimed = await test.Store.Approvals.TryClaimAsync("tenant-b", "ap-a");
        var aAfterBClaimed = await test.Store.Approvals.GetAsync("tenant-a", "ap-a");

        Assert.Multiple(() =>
        {
            Assert.That(a!.Ticket.TenantId, Is.EqualTo("tenant-a"));
            Assert.That(a.Ticket.RequestedBy, Is.EqualTo("alice"), "A's ticket was not overwritten");
            Assert.That(a.Ticket.RequestId, Is.EqualTo("req-ap-a"));
            Assert.That(Encoding.UTF8.GetString(a.Checkpoint.Span), Does.Contain("100 EUR to Bob"));
            Assert.That(b!.Ticket.RequestedBy, Is.EqualTo("mallory"), "B sees its own ticket, not A's");
            Assert.That(Encoding.UTF8.GetString(b.Checkpoint.Span), Does.Not.Contain("Bob"));
            Assert.That(aPending.Select(t => (t.TenantId, t.RequestedBy)), Is.EqualTo(new[] { ("tenant-a", "alice") }));
            Assert.That(bClaimed!.Ticket.RequestedBy, Is.EqualTo("mallory"));
            Assert.That(aAfterBClaimed, Is.Not.Null, "B claiming its own ticket leaves A's pending");
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
