using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Memory;

public sealed class MemoryStoreTests
{
    private static readonly MemoryScope Alice = MemoryScope.ForActor("acme", "alice");

    [Test]
    public async Task Retained_items_keep_provenance_classification_retention_and_tags()
    {
        await using var test = await TestStore.OpenAsync();
        var item = await Retain(test, Alice, "Alice's invoices go to the finance mailbox.", tags: ["billing"], retention: RetentionClass.Extended,
            classification: DataClassification.Of(Sensitivity.Confidential, "pii"), requestId: "req-1");
        await test.ReopenAsync();

        var read = await test.Store.Memory.GetAsync(Alice, item.Id);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.Not.Null);
            Assert.That(read!.Content, Is.EqualTo("Alice's invoices go to the finance mailbox."));
            Assert.That(read.Provenance, Is.EqualTo(new MemoryProvenance { SourceType = "user.statement", SourceRequestId = "req-1", SourceActorId = "alice" }));
            Assert.That(read.Classification, Is.EqualTo(DataClassification.Of(Sensitivity.Confidential, "pii")));
            Assert.That(read.Retention, Is.EqualTo(RetentionClass.Extended));
            Assert.That(read.Tags, Is.EqualTo(new[] { "billing" }));
            Assert.That(read.CreatedAt, Is.EqualTo(test.Time.GetUtcNow()));
            Assert.That(read.ExpiresAt, Is.EqualTo(test.Time.GetUtcNow() + test.Options.Retention.Extended), "the retention class sets the expiry");
            Assert.That(read.Revision, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Search_finds_keywords_case_and_accent_insensitively_best_match_first()
    {
        await using var test = await TestStore.OpenAsync();
        await Retain(test, Alice, "The café on Main Street opens at seven.");
        var best = await Retain(test, Alice, "Invoice policy: invoices over 500 EUR need approval; invoice numbers start with INV.");
        await Retain(test, Alice, "Bob likes green tea.");
        await Retain(test, Alice, "One invoice was late in March.");

        var invoices = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "INVOICE approval" }).ToListAsync();
        var cafe = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "cafe" }).ToListAsync();
        var none = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "submarine" }).ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(invoices, Has.Count.EqualTo(2));
            Assert.That(invoices[0].Id, Is.EqualTo(best.Id));
            Assert.That(cafe.Single().Content, Does.Contain("café"));
            Assert.That(none, Is.Empty);
        });
    }

    [Test]
    public async Task Search_respects_scope_limit_freshness_and_expiry()
    {
        await using var test = await TestStore.OpenAsync();
        var bob = MemoryScope.ForActor("acme", "bob");
        var old = await Retain(test, Alice, "project apollo kickoff notes");
        test.Time.Advance(TimeSpan.FromHours(2));
        var fresh = await Retain(test, Alice, "project apollo budget");
        await Retain(test, bob, "project apollo for bob");
        await Retain(test, Alice, "project apollo expiring soon", expiresAt: test.Time.GetUtcNow().AddMinutes(5));
        test.Time.Advance(TimeSpan.FromMinutes(10));

        var all = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "apollo" }).ToListAsync();
        var limited = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "apollo", Limit = 1 }).ToListAsync();
        var recent = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "apollo", UpdatedSince = test.Time.GetUtcNow().AddHours(-1) }).ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(all.Select(i => i.Id), Is.EquivalentTo(new[] { old.Id, fresh.Id }), "bob's item and the expired one are not found");
            Assert.That(limited, Has.Count.EqualTo(1));
            Assert.That(recent.Select(i => i.Id), Is.EqualTo(new[] { fresh.Id }));
        });
    }

    [Test]
    public async Task Correct_keeps_the_history_and_updates_search()
    {
        await using var test = await TestStore.OpenAsync();
        var item = await Retain(test, Alice, "Alice lives in Lyon.");
        test.Time.Advance(TimeSpan.FromMinutes(1));

        var corrected = await test.Store.Memory.CorrectAsync(Alice, item.Id, "Alice lives in Grenoble.", "user moved");
        var history = await test.Store.Memory.GetHistoryAsync(Alice, item.Id);
        var lyon = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "lyon" }).ToListAsync();
        var grenoble = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "grenoble" }).ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(corrected!.Revision, Is.EqualTo(2));
            Assert.That(corrected.UpdatedAt, Is.EqualTo(test.Time.GetUtcNow()));
            Assert.That(corrected.CreatedAt, Is.EqualTo(item.CreatedAt));
            Assert.That(history!.Single().Content, Is.EqualTo("Alice lives in Lyon."));
            Assert.That(history!.Single().Reason, Is.EqualTo("user moved"));
            Assert.That(lyon, Is.Empty);
            Assert.That(grenoble.Single().Content, Is.EqualTo("Alice lives in Grenoble."));
        });
    }

    [Test]
    public async Task Consolidate_replaces_items_by_one_and_fails_atomically_for_an_unknown_id()
    {
        await using var test = await TestStore.OpenAsync();
        var a = await Retain(test, Alice, "likes tea");
        var b = await Retain(test, Alice, "likes green tea in the morning");

        Assert.That(
            async () => await test.Store.Memory.ConsolidateAsync(Alice, [a.Id, "mem_missing"], Write(Alice, "likes green tea")),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("mem_missing"));
        Assert.That(await test.Store.Memory.ExportAsync(Alice).CountAsync(), Is.EqualTo(2), "nothing changed");

        var merged = await test.Store.Memory.ConsolidateAsync(Alice, [a.Id, b.Id], Write(Alice, "likes green tea, mostly in the morning"));
        var items = await test.Store.Memory.ExportAsync(Alice).ToListAsync();
        var consolidated = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme", Kind = "memory.consolidated" }).SingleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(items.Select(i => i.Id), Is.EqualTo(new[] { merged.Id }));
            Assert.That(consolidated.Attributes["memory.consolidatedFrom"], Is.EqualTo($"{a.Id},{b.Id}"));
        });
    }

    [Test]
    public async Task Export_writes_the_scope_as_contract_json()
    {
        await using var test = await TestStore.OpenAsync();
        await Retain(test, Alice, "first");
        await Retain(test, Alice, "second");
        await Retain(test, MemoryScope.ForTenant("acme"), "tenant-wide");
        using var stream = new MemoryStream();

        var count = await test.Store.Memory.ExportJsonAsync(Alice, stream);
        stream.Position = 0;
        var items = JsonSerializer.Deserialize(stream, ARuntimeJsonContext.Default.IReadOnlyListMemoryItem)!;

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(2));
            Assert.That(items.Select(i => i.Content), Is.EqualTo(new[] { "first", "second" }));
        });
    }

    [Test]
    public async Task Delete_removes_the_item_everywhere_and_leaves_evidence_without_its_content_and_a_verifiable_log()
    {
        await using var test = await TestStore.OpenAsync();
        const string Secret = "Alice's door code is 4417";
        var item = await Retain(test, Alice, Secret);
        await test.Store.Memory.CorrectAsync(Alice, item.Id, Secret + " (changed)", "typo");
        var before = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme" }).ToListAsync();

        var deleted = await test.Store.Memory.DeleteAsync(Alice, item.Id, "user request");
        var after = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme" }).ToListAsync();
        var report = await test.Store.Evidence.VerifyAsync("acme");

        Assert.Multiple(async () =>
        {
            Assert.That(deleted, Is.True);
            Assert.That(await test.Store.Memory.GetAsync(Alice, item.Id), Is.Null);
            Assert.That(await test.Store.Memory.GetHistoryAsync(Alice, item.Id), Is.Null);
            Assert.That(await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "door code" }).ToListAsync(), Is.Empty);
            Assert.That(before.Select(r => r.Kind), Is.EqualTo(new[] { "memory.retained", "memory.corrected" }));
            Assert.That(before[0].Payloads[0].Name, Is.EqualTo("memory.content"), "before deletion the digest is readable");
            var deletion = after.Single(r => r.Kind == "memory.deleted");
            Assert.That(deletion.Attributes["memory.itemId"], Is.EqualTo(item.Id));
            Assert.That(deletion.Payloads, Is.Empty);
            Assert.That(JsonSerializer.Serialize(after, ARuntimeJsonContext.Default.IReadOnlyListEvidenceRecord), Does.Not.Contain("4417").And.Not.Contain(before[0].Payloads[0].Digest),
                "no content and no content digest survive");
            Assert.That(after[0].Flags, Does.Contain(SqlCipherEvidenceFlags.PayloadErased));
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.PayloadsErased, Is.EqualTo(2), "the leaves keep the salted commitments");
            Assert.That(await test.Store.Memory.DeleteAsync(Alice, item.Id, "again"), Is.False);
        });
    }

    [Test]
    public async Task Expired_items_are_purged_on_the_schedule_with_a_purge_record()
    {
        await using var test = await TestStore.OpenAsync(o => o.PurgeInterval = TimeSpan.FromMinutes(10));
        await test.ReopenAsync(o => o.PurgeInterval = TimeSpan.FromMinutes(10));
        var shortLived = await Retain(test, Alice, "temporary parking spot B12", expiresAt: test.Time.GetUtcNow().AddMinutes(5));
        var kept = await Retain(test, Alice, "permanent preference", retention: RetentionClass.LegalHold);

        test.Time.Advance(TimeSpan.FromMinutes(10));
        await test.Store.Evidence.FlushAsync();
        await test.Store.Evidence.FlushAsync();

        var remaining = await test.Store.Memory.ExportAsync(Alice).ToListAsync();
        var purge = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme", Kind = "memory.purged" }).ToListAsync();
        var report = await test.Store.Evidence.VerifyAsync("acme");

        Assert.Multiple(async () =>
        {
            Assert.That(remaining.Select(i => i.Id), Is.EqualTo(new[] { kept.Id }));
            Assert.That(kept.ExpiresAt, Is.Null, "legal hold never expires");
            Assert.That(purge.Single().Attributes["memory.purged.count"], Is.EqualTo("1"));
            Assert.That(await test.Store.Memory.GetHistoryAsync(Alice, shortLived.Id), Is.Null);
            Assert.That(report.IsValid, Is.True, report.Message);
        });
    }

    [Test]
    public async Task Evidence_payloads_past_their_retention_period_are_erased_and_the_log_still_verifies()
    {
        await using var test = await TestStore.OpenAsync(o => o.Retention.Transient = TimeSpan.FromHours(1));
        await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1, payloads: TestStore.Payload("prompt", "short-lived")) with { Retention = RetentionClass.Transient, Timestamp = test.Time.GetUtcNow() }, EvidenceDurability.Durable);
        await test.Store.Evidence.WriteAsync(TestStore.Record("t", 2, payloads: TestStore.Payload("prompt", "standard")) with { Timestamp = test.Time.GetUtcNow() }, EvidenceDurability.Durable);

        test.Time.Advance(TimeSpan.FromHours(2));
        var result = await test.Store.PurgeExpiredAsync();
        var records = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).ToListAsync();
        var report = await test.Store.Evidence.VerifyAsync("t");

        Assert.Multiple(() =>
        {
            Assert.That(result.EvidencePayloads, Is.EqualTo(1));
            Assert.That(records[0].Payloads[0].Algorithm, Is.EqualTo("erased"));
            Assert.That(records[1].Payloads[0].Name, Is.EqualTo("prompt"));
            Assert.That(report.IsValid, Is.True, report.Message);
        });
    }

    [Test]
    public async Task Bad_input_gets_typed_errors_and_changes_nothing()
    {
        await using var test = await TestStore.OpenAsync();
        Assert.Multiple(() =>
        {
            Assert.That(async () => await test.Store.Memory.RetainAsync(Write(new MemoryScope { TenantId = "acme", Kind = MemoryScopeKind.Actor }, "x")), Throws.InstanceOf<ArgumentException>().With.Message.Contains("OwnerId"));
            Assert.That(async () => await test.Store.Memory.RetainAsync(Write(Alice, string.Empty)), Throws.InstanceOf<ArgumentException>());
            Assert.That(async () => await test.Store.Memory.RetainAsync(Write(Alice, new string('x', 70_000))), Throws.InstanceOf<ArgumentException>().With.Message.Contains("65536"));
            Assert.That(async () => await test.Store.Memory.RetainAsync(Write(Alice, "x") with { Provenance = new MemoryProvenance { SourceType = "" } }), Throws.InstanceOf<ArgumentException>().With.Message.Contains("SourceType"));
            Assert.That(async () => await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = Alice, Text = "x", Limit = 0 }).ToListAsync(), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
        Assert.That(await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme" }).CountAsync(), Is.Zero);
    }

    internal static MemoryWrite Write(MemoryScope scope, string content) => new()
    {
        Scope = scope,
        Content = content,
        Provenance = new MemoryProvenance { SourceType = "user.statement", SourceActorId = scope.OwnerId },
    };

    internal static async Task<MemoryItem> Retain(
        TestStore test,
        MemoryScope scope,
        string content,
        IReadOnlyList<string>? tags = null,
        RetentionClass retention = RetentionClass.Standard,
        DataClassification? classification = null,
        string? requestId = null,
        DateTimeOffset? expiresAt = null) =>
        await test.Store.Memory.RetainAsync(Write(scope, content) with
        {
            Tags = tags ?? [],
            Retention = retention,
            Classification = classification ?? DataClassification.Unlabelled,
            Provenance = new MemoryProvenance { SourceType = "user.statement", SourceRequestId = requestId, SourceActorId = scope.OwnerId },
            ExpiresAt = expiresAt,
        });
}
