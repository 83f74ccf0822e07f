using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary>
/// A payload may leave the store only through an erasure the log can account for — an erasure record naming its record,
/// the retention purge after the record's period, the deletion of the memory item it is about, or the tenant's erasure.
/// Payloads removed any other way (someone holding the database key nulling the column) are found by verification.
/// </summary>
public sealed class PayloadRemovalTests
{
    private TestStore test = null!;

    [SetUp]
    public async Task SetUp()
    {
        test = await TestStore.OpenAsync(o => o.Retention.Standard = TimeSpan.FromDays(30));
        for (var i = 0; i < 20; i++)
        {
            await test.Store.Evidence.WriteAsync(
                TestStore.Record("acme", i, payloads: [TestStore.Payload("tool.result", "result " + i, keepContent: true)]),
                EvidenceDurability.Durable);
        }
    }

    [TearDown]
    public async Task TearDown() => await test.DisposeAsync();

    [Test]
    public async Task Payloads_removed_without_an_erasure_are_found_at_their_position()
    {
        RemovePayloads("acme-rec-000007");

        var report = await test.Store.Evidence.VerifyAsync("acme");

        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.False);
            Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.PayloadRemoved));
            Assert.That(report.LeafIndex, Is.EqualTo(7));
            Assert.That(report.RecordId, Is.EqualTo("acme-rec-000007"));
        });
    }

    [Test]
    public async Task Payloads_erased_through_the_store_verify_and_are_counted()
    {
        var erased = await test.Store.Evidence.ErasePayloadsAsync("acme", "acme-rec-000007", "test.redaction");

        var report = await test.Store.Evidence.VerifyAsync("acme");

        Assert.Multiple(() =>
        {
            Assert.That(erased, Is.EqualTo(1));
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.PayloadsErased, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Payloads_past_their_retention_period_may_be_gone_but_not_younger_ones()
    {
        test.Time.Advance(TimeSpan.FromDays(31));
        var purged = await test.Store.PurgeExpiredAsync();
        await test.Store.Evidence.WriteAsync(
            TestStore.Record("acme", 100, timestamp: test.Time.GetUtcNow(), payloads: [TestStore.Payload("tool.result", "fresh", keepContent: true)]),
            EvidenceDurability.Durable);

        var afterPurge = await test.Store.Evidence.VerifyAsync("acme");
        RemovePayloads("acme-rec-000100");
        var afterRemoval = await test.Store.Evidence.VerifyAsync("acme");

        Assert.Multiple(() =>
        {
            Assert.That(purged.EvidencePayloads, Is.EqualTo(20));
            Assert.That(afterPurge.IsValid, Is.True, afterPurge.Message);
            Assert.That(afterPurge.PayloadsErased, Is.EqualTo(20));
            Assert.That(afterRemoval.Kind, Is.EqualTo(EvidenceTamperKind.PayloadRemoved), "a record inside its retention period cannot have been purged");
            Assert.That(afterRemoval.RecordId, Is.EqualTo("acme-rec-000100"));
        });
    }

    [Test]
    public async Task A_purge_stays_accounted_for_after_the_retention_period_is_lengthened()
    {
        test.Time.Advance(TimeSpan.FromDays(31));
        await test.Store.PurgeExpiredAsync();
        await test.ReopenAsync(o => o.Retention.Standard = TimeSpan.FromDays(90));

        var report = await test.Store.Evidence.VerifyAsync("acme");

        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.PayloadsErased, Is.EqualTo(20), "the purge record's cutoff covers them, whatever the period is now");
        });
    }

    [Test]
    public async Task A_tenant_erased_and_then_used_again_verifies()
    {
        await test.Store.EraseTenantAsync("acme", "test.erasure");
        await test.Store.Evidence.WriteAsync(
            TestStore.Record("acme", 500, timestamp: test.Time.GetUtcNow(), payloads: [TestStore.Payload("tool.result", "after erasure", keepContent: true)]),
            EvidenceDurability.Durable);

        var report = await test.Store.Evidence.VerifyAsync("acme");
        RemovePayloads("acme-rec-000500");
        var afterRemoval = await test.Store.Evidence.VerifyAsync("acme");

        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.PayloadsErased, Is.EqualTo(20), "the records before the erasure lost their payloads with it");
            Assert.That(afterRemoval.Kind, Is.EqualTo(EvidenceTamperKind.PayloadRemoved), "a record written after the erasure is not covered by it");
        });
    }

    [Test]
    public async Task A_retention_period_longer_than_the_clock_purges_nothing_of_its_class_and_the_rest_as_usual()
    {
        await test.ReopenAsync(o => o.Retention.Extended = TimeSpan.MaxValue);
        test.Time.Advance(TimeSpan.FromDays(31));

        var purged = await test.Store.PurgeExpiredAsync();
        var report = await test.Store.Evidence.VerifyAsync("acme");

        Assert.Multiple(() =>
        {
            Assert.That(purged.EvidencePayloads, Is.EqualTo(20), "the standard records past their 30 days");
            Assert.That(report.IsValid, Is.True, report.Message);
        });
    }

    [Test]
    public async Task A_purge_record_appended_later_does_not_excuse_removals_after_it()
    {
        await test.Store.Evidence.WriteAsync(
            new ARuntime.Sdk.Contracts.EvidenceRecord
            {
                RecordId = "forged-purge",
                RequestId = "store",
                TenantId = "acme",
                Sequence = 0,
                Stage = ARuntime.Sdk.Contracts.LifecycleStage.EvidencePersistence,
                Kind = "evidence.payloads.purged",
                Outcome = ARuntime.Sdk.Contracts.StageOutcome.Completed,
                Timestamp = test.Time.GetUtcNow(),
                Attributes = new Dictionary<string, string> { ["cutoff.standard"] = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
            EvidenceDurability.Durable);
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.Store.Evidence.WriteAsync(
            TestStore.Record("acme", 200, timestamp: test.Time.GetUtcNow(), payloads: [TestStore.Payload("tool.result", "later", keepContent: true)]),
            EvidenceDurability.Durable);
        RemovePayloads("acme-rec-000200");

        var report = await test.Store.Evidence.VerifyAsync("acme");

        Assert.That(report.Kind, Is.EqualTo(EvidenceTamperKind.PayloadRemoved), "a purge covers only records before it and no younger than it");
        Assert.That(report.RecordId, Is.EqualTo("acme-rec-000200"));
    }

    private void RemovePayloads(string recordId)
    {
        using var db = test.OpenRaw();
        db.Execute($"UPDATE evidence_record SET payloads = NULL WHERE record_id = '{recordId}'");
    }
}
