using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary><see cref="SqlCipherEvidenceStore.ErasePayloadsAsync"/> on the caller's own tenant: one record's payloads go, its leaf and every other payload stay.</summary>
public sealed class PayloadErasureTests
{
    [Test]
    public async Task Erasing_a_records_payloads_removes_their_content_and_digests_and_keeps_its_leaf_and_every_other_payload()
    {
        await using var test = await TestStore.OpenAsync(o => o.StoreRawPayloadContent = true);
        var evidence = test.Store.Evidence;

        // Tenant B has a record with the same id: erasure selects by tenant and record id, so B's must survive.
        const string Target = "shared-record-id";
        var prompt = TestStore.Payload("prompt", "Alice's account number is 9981-4417", keepContent: true);
        var completion = TestStore.Payload("completion", "Transfer approved for account 9981-4417", keepContent: true);
        var sibling = TestStore.Payload("prompt", "tenant A's other prompt", keepContent: true);
        var bPayload = TestStore.Payload("prompt", "tenant B's prompt under the same record id", keepContent: true);
        await evidence.WriteAsync(TestStore.Record("tenant-a", 1, payloads: [prompt, completion]) with { RecordId = Target }, EvidenceDurability.Durable);
        await evidence.WriteAsync(TestStore.Record("tenant-a", 2, payloads: sibling), EvidenceDurability.Durable);
        await evidence.WriteAsync(TestStore.Record("tenant-b", 1, payloads: bPayload) with { RecordId = Target }, EvidenceDurability.Durable);

        var headBefore = await evidence.GetTreeHeadAsync("tenant-a");
        var bHeadBefore = await evidence.GetTreeHeadAsync("tenant-b");
        var proofBefore = await evidence.GetInclusionProofAsync("tenant-a", Target);

        var erased = await evidence.ErasePayloadsAsync("tenant-a", Target, "gdpr.article17");

        var records = await evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-a" }).ToListAsync();
        var bRecords = await evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-b" }).ToListAsync();
        var headAfter = await evidence.GetTreeHeadAsync("tenant-a");
        var bHeadAfter = await evidence.GetTreeHeadAsync("tenant-b");
        var proofAfter = await evidence.GetInclusionProofAsync("tenant-a", Target, headBefore.TreeSize);
        var consistency = await evidence.GetConsistencyProofAsync("tenant-a", headBefore.TreeSize);
        var report = await evidence.VerifyAsync("tenant-a");
        var bReport = await evidence.VerifyAsync("tenant-b");
        var erasedAgain = await evidence.ErasePayloadsAsync("tenant-a", Target, "gdpr.article17");
        var headAfterAgain = await evidence.GetTreeHeadAsync("tenant-a");

        var target = records.Single(r => r.RecordId == Target);
        var json = JsonSerializer.Serialize<IReadOnlyList<EvidenceRecord>>(records, ARuntimeJsonContext.Default.IReadOnlyListEvidenceRecord);
        Assert.Multiple(() =>
        {
            Assert.That(erased, Is.EqualTo(2), "both payloads of the record");

            // The record reads back with only its salted commitments, flagged as erased.
            Assert.That(target.Payloads, Has.Count.EqualTo(2));
            Assert.That(target.Payloads.Select(p => p.Algorithm), Is.All.EqualTo("erased"));
            Assert.That(target.Payloads.Select(p => p.Name), Is.All.EqualTo("erased"));
            Assert.That(target.Payloads.Select(p => p.Content), Is.All.Null);
            Assert.That(target.Payloads.Select(p => p.Length), Is.All.Zero);
            Assert.That(target.Flags, Does.Contain(SqlCipherEvidenceFlags.PayloadErased));
            Assert.That(json, Does.Not.Contain("9981-4417").And.Not.Contain(prompt.Digest).And.Not.Contain(completion.Digest), "neither content nor the unsalted digests survive");
            var written = TestStore.Record("tenant-a", 1);
            Assert.That((target.RequestId, target.Kind, target.Decision, target.Timestamp), Is.EqualTo((written.RequestId, written.Kind, written.Decision, written.Timestamp)), "the rest of the record is unchanged");
            Assert.That(target.Attributes, Is.EquivalentTo(written.Attributes));

            // The erasure is itself evidence, naming the record and the reason but no content.
            var erasure = records.Single(r => r.Kind == "evidence.payloads.erased");
            Assert.That(erasure.Attributes["target.recordId"], Is.EqualTo(Target));
            Assert.That(erasure.ReasonCodes, Is.EqualTo(new[] { "gdpr.article17" }));
            Assert.That(records.Select(r => r.RecordId), Is.EqualTo(new[] { Target, "tenant-a-rec-000002", erasure.RecordId }));

            // The leaf is untouched: the same leaf bytes and root at the earlier size, and the log only grew.
            Assert.That(headAfter.TreeSize, Is.EqualTo(headBefore.TreeSize + 1), "only the erasure record was appended");
            Assert.That(proofAfter!.Leaf.ToArray(), Is.EqualTo(proofBefore!.Leaf.ToArray()));
            Assert.That(proofAfter.LeafHash.ToArray(), Is.EqualTo(proofBefore.LeafHash.ToArray()));
            Assert.That(proofAfter.RootHash.ToArray(), Is.EqualTo(headBefore.RootHash.ToArray()));
            Assert.That(proofAfter.Verify(), Is.True);
            Assert.That(consistency.FirstRoot.ToArray(), Is.EqualTo(headBefore.RootHash.ToArray()));
            Assert.That(consistency.Verify(), Is.True);
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.PayloadsErased, Is.EqualTo(2));
            Assert.That(report.PayloadsChecked, Is.EqualTo(1), "the sibling's payload is still checked against its commitment");

            // The tenant's other record and the other tenant's record of the same id keep their payloads.
            Assert.That(records.Single(r => r.RecordId == "tenant-a-rec-000002").Payloads, Is.EqualTo(new[] { sibling }));
            Assert.That(bRecords.Single().Payloads, Is.EqualTo(new[] { bPayload }));
            Assert.That(bRecords.Single().Flags, Does.Not.Contain(SqlCipherEvidenceFlags.PayloadErased));
            Assert.That(bHeadAfter.TreeSize, Is.EqualTo(bHeadBefore.TreeSize), "tenant B's log gained no record");
            Assert.That(bHeadAfter.RootHash.ToArray(), Is.EqualTo(bHeadBefore.RootHash.ToArray()));
            Assert.That(bReport.IsValid, Is.True, bReport.Message);
            Assert.That(bReport.PayloadsErased, Is.Zero);

            // Erasing again finds nothing and records nothing.
            Assert.That(erasedAgain, Is.Zero);
            Assert.That(headAfterAgain.TreeSize, Is.EqualTo(headAfter.TreeSize));
        });

        // The erasure is durable.
        await test.ReopenAsync();
        var reopened = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-a", RequestId = target.RequestId }).ToListAsync();
        Assert.That(reopened.Single(r => r.RecordId == Target).Payloads.Select(p => p.Algorithm), Is.All.EqualTo("erased"));
    }
}
