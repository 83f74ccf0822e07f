using System.Security.Cryptography;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

public sealed class EvidenceStoreTests
{
    [Test]
    public async Task A_durable_write_is_readable_after_reopening_with_every_field_intact()
    {
        await using var test = await TestStore.OpenAsync();
        var record = TestStore.Record("tenant-a", 7, payloads: TestStore.Payload("prompt", "What is the capital of France?")) with
        {
            ReasonCodes = ["policy.allow", "budget.ok"],
            Versions = new VersionSet { Model = "stories260K@sha256:270cba1b", Policy = "p-3", Runtime = "0.1.0" },
            Classification = DataClassification.Of(Sensitivity.Confidential, "pii"),
            Retention = RetentionClass.Extended,
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            SpanId = "00f067aa0ba902b7",
            Flags = ["degraded"],
            Decision = "quote \" backslash \\ newline \n tab \t unicode é ✓",
        };
        await test.Store.Evidence.WriteAsync(record, EvidenceDurability.Durable);
        await test.ReopenAsync();

        var read = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-a" }).ToListAsync();

        Assert.That(read, Has.Count.EqualTo(1));
        var got = read[0];
        Assert.Multiple(() =>
        {
            Assert.That(got.RecordId, Is.EqualTo(record.RecordId));
            Assert.That(got.Decision, Is.EqualTo(record.Decision));
            Assert.That(got.ReasonCodes, Is.EqualTo(record.ReasonCodes));
            Assert.That(got.Versions, Is.EqualTo(record.Versions));
            Assert.That(got.Classification, Is.EqualTo(record.Classification));
            Assert.That(got.Retention, Is.EqualTo(RetentionClass.Extended));
            Assert.That(got.Timestamp, Is.EqualTo(record.Timestamp));
            Assert.That(got.Duration, Is.EqualTo(record.Duration));
            Assert.That(got.Attributes, Is.EquivalentTo(record.Attributes));
            Assert.That(got.Flags, Is.EqualTo(new[] { "degraded" }));
            Assert.That(got.Payloads, Is.EqualTo(record.Payloads));
            Assert.That(got.TraceId, Is.EqualTo(record.TraceId));
        });
    }

    [Test]
    public async Task Queries_filter_by_request_correlation_time_stage_kind_and_outcome_within_the_tenant()
    {
        await using var test = await TestStore.OpenAsync();
        var t0 = new DateTimeOffset(2026, 1, 15, 10, 0, 0, TimeSpan.Zero);
        var records = new[]
        {
            TestStore.Record("t", 1, requestId: "r1", kind: "stage", stage: LifecycleStage.Admission, timestamp: t0),
            TestStore.Record("t", 2, requestId: "r1", kind: "policy.decision", stage: LifecycleStage.Authorization, timestamp: t0.AddSeconds(1)) with { Outcome = StageOutcome.Denied },
            TestStore.Record("t", 3, requestId: "r2", kind: "stage", stage: LifecycleStage.Inference, timestamp: t0.AddSeconds(2)) with { CorrelationId = "c-9" },
            TestStore.Record("t", 4, requestId: "r2", kind: "gap", stage: LifecycleStage.EvidencePersistence, timestamp: t0.AddSeconds(3)) with { Outcome = StageOutcome.Degraded },
        };
        foreach (var record in records)
        {
            await test.Store.Evidence.WriteAsync(record, EvidenceDurability.Durable);
        }

        async Task<string[]> Ids(EvidenceQuery query) => (await test.Store.Evidence.QueryAsync(query).ToListAsync()).Select(r => r.RecordId).ToArray();

        Assert.Multiple(async () =>
        {
            Assert.That(await Ids(new EvidenceQuery { TenantId = "t", RequestId = "r1" }), Is.EqualTo(new[] { "t-rec-000001", "t-rec-000002" }));
            Assert.That(await Ids(new EvidenceQuery { TenantId = "t", CorrelationId = "c-9" }), Is.EqualTo(new[] { "t-rec-000003" }));
            Assert.That(await Ids(new EvidenceQuery { TenantId = "t", From = t0.AddSeconds(1), To = t0.AddSeconds(3) }), Is.EqualTo(new[] { "t-rec-000002", "t-rec-000003" }));
            Assert.That(await Ids(new EvidenceQuery { TenantId = "t", Stage = LifecycleStage.Inference }), Is.EqualTo(new[] { "t-rec-000003" }));
            Assert.That(await Ids(new EvidenceQuery { TenantId = "t", Kind = "gap" }), Is.EqualTo(new[] { "t-rec-000004" }), "gap records are accepted and queryable");
            Assert.That(await Ids(new EvidenceQuery { TenantId = "t", Outcome = StageOutcome.Denied }), Is.EqualTo(new[] { "t-rec-000002" }));
            Assert.That(await Ids(new EvidenceQuery { TenantId = "t", Limit = 3 }), Has.Length.EqualTo(3));
        });
    }

    [Test]
    public async Task Many_concurrent_writers_lose_nothing_and_the_log_verifies()
    {
        await using var test = await TestStore.OpenAsync();
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 120; i++)
            {
                var durability = i % 2 == 0 ? EvidenceDurability.Durable : EvidenceDurability.Acknowledged;
                await test.Store.Evidence.WriteAsync(TestStore.Record($"tenant-{w % 3}", (w * 1000) + i), durability);
            }
        }));
        await Task.WhenAll(writers);
        await test.Store.Evidence.FlushAsync();

        var total = 0;
        for (var t = 0; t < 3; t++)
        {
            var report = await test.Store.Evidence.VerifyAsync($"tenant-{t}");
            Assert.That(report.IsValid, Is.True, report.Message);
            total += (int)report.TreeSize;
        }

        Assert.That(total, Is.EqualTo(960));
    }

    [Test]
    public async Task A_durable_write_completes_only_after_commit_and_an_acknowledged_one_on_enqueue()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1), EvidenceDurability.Durable);

        // A durable write is visible to readers (committed) as soon as it returns.
        Assert.That(await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).CountAsync(), Is.EqualTo(1));

        await test.Store.Evidence.WriteAsync(TestStore.Record("t", 2), EvidenceDurability.Acknowledged);
        await test.Store.Evidence.FlushAsync();
        Assert.That(await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).CountAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task A_duplicate_record_id_fails_only_that_write_with_a_typed_error()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1), EvidenceDurability.Durable);

        var duplicate = test.Store.Evidence.WriteAsync(TestStore.Record("t", 1) with { Decision = "other" }, EvidenceDurability.Durable).AsTask();
        var other = test.Store.Evidence.WriteAsync(TestStore.Record("t", 2), EvidenceDurability.Durable).AsTask();

        var error = await Assert.ThrowsAsync<EvidenceWriteException>(async () => await duplicate);
        await other;
        Assert.Multiple(async () =>
        {
            Assert.That(error!.Message, Does.Contain("t-rec-000001"));
            Assert.That((await test.Store.Evidence.VerifyAsync("t")).TreeSize, Is.EqualTo(2));
            Assert.That(test.Store.Evidence.Health.IsHealthy, Is.True);
        });
    }

    [Test]
    public async Task Invalid_records_are_rejected_with_an_argument_error_naming_the_field()
    {
        await using var test = await TestStore.OpenAsync();
        Assert.Multiple(() =>
        {
            Assert.That(async () => await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1) with { TenantId = " " }, EvidenceDurability.Durable),
                Throws.InstanceOf<ArgumentException>().With.Message.Contains("TenantId"));
            Assert.That(async () => await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1) with { Stage = (LifecycleStage)99 }, EvidenceDurability.Durable),
                Throws.InstanceOf<ArgumentException>().With.Message.Contains("Stage"));
            Assert.That(async () => await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1) with { ContractVersion = "7.0" }, EvidenceDurability.Durable),
                Throws.InstanceOf<ArgumentException>().With.Message.Contains("contract version"));
        });
    }

    [Test]
    public async Task Raw_payload_content_is_kept_only_when_the_host_opts_in()
    {
        await using var minimized = await TestStore.OpenAsync();
        await minimized.Store.Evidence.WriteAsync(TestStore.Record("t", 1, payloads: TestStore.Payload("prompt", "secret prompt text", keepContent: true)), EvidenceDurability.Durable);
        var stored = await minimized.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).SingleAsync();

        await using var optedIn = await TestStore.OpenAsync(o => o.StoreRawPayloadContent = true);
        await optedIn.Store.Evidence.WriteAsync(TestStore.Record("t", 1, payloads: TestStore.Payload("prompt", "secret prompt text", keepContent: true)), EvidenceDurability.Durable);
        var kept = await optedIn.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).SingleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(stored.Payloads[0].Content, Is.Null);
            Assert.That(stored.Payloads[0].Digest, Is.EqualTo(TestStore.Payload("prompt", "secret prompt text").Digest), "the digest and size stay");
            Assert.That(stored.Flags, Does.Contain(SqlCipherEvidenceFlags.RawContentDiscarded));
            Assert.That(kept.Payloads[0].Content, Is.EqualTo("secret prompt text"));
            Assert.That(kept.Flags, Does.Not.Contain(SqlCipherEvidenceFlags.RawContentDiscarded));
        });
    }

    [Test]
    public async Task Inclusion_and_consistency_proofs_from_the_store_verify_against_its_signed_checkpoints()
    {
        await using var test = await TestStore.OpenAsync();
        await test.WriteManyAsync("t", 37);
        var early = await test.Store.Evidence.CreateCheckpointAsync("t");
        await test.WriteManyAsync("t", 26, start: 37);
        var late = await test.Store.Evidence.CreateCheckpointAsync("t");

        var inclusion = await test.Store.Evidence.GetInclusionProofAsync("t", "t-rec-000005", treeSize: early.TreeSize);
        var consistency = await test.Store.Evidence.GetConsistencyProofAsync("t", early.TreeSize, late.TreeSize);

        Assert.Multiple(() =>
        {
            Assert.That(early.TreeSize, Is.EqualTo(37));
            Assert.That(late.TreeSize, Is.EqualTo(63));
            Assert.That(inclusion, Is.Not.Null);
            Assert.That(inclusion!.Verify(), Is.True);
            Assert.That(MerkleTree.VerifyInclusion(inclusion.LeafIndex, early.TreeSize, MerkleTree.HashLeaf(inclusion.Leaf.Span), inclusion.AuditPath, early.RootHash.Span), Is.True, "against the signed root");
            Assert.That(MerkleTree.VerifyConsistency(early.TreeSize, late.TreeSize, early.RootHash.Span, late.RootHash.Span, consistency.Proof), Is.True, "between the signed roots");
            Assert.That(early.Note, Does.StartWith($"aruntime.local/evidence/t\n37\n{Convert.ToBase64String(early.RootHash.Span)}\n\n\u2014 aruntime.local/evidence "));
        });
    }

    [Test]
    public async Task Checkpoints_are_signed_every_N_records_and_after_T_time()
    {
        await using var test = await TestStore.OpenAsync(o =>
        {
            o.CheckpointEveryRecords = 100;
            o.CheckpointInterval = TimeSpan.FromSeconds(30);
        });
        await test.WriteManyAsync("t", 99);
        var first = await test.Store.Evidence.GetLatestCheckpointAsync("t");

        // The very first batch is checkpointed (no earlier checkpoint); then only after 100 more records or 30 s.
        Assert.That(first, Is.Not.Null);
        var firstSize = first!.TreeSize;
        await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1000), EvidenceDurability.Durable);
        Assert.That((await test.Store.Evidence.GetLatestCheckpointAsync("t"))!.TreeSize, Is.EqualTo(firstSize), "neither 100 records nor 30 s passed");

        await test.WriteManyAsync("t", 100, start: 2000);
        Assert.That((await test.Store.Evidence.GetLatestCheckpointAsync("t"))!.TreeSize, Is.GreaterThanOrEqualTo(firstSize + 100), "N records");

        // T time, on a tenant of its own so the count rule cannot interfere: its first record is checkpointed, its second
        // only once the interval passed.
        await test.Store.Evidence.WriteAsync(TestStore.Record("u", 1), EvidenceDurability.Durable);
        await test.Store.Evidence.WriteAsync(TestStore.Record("u", 2), EvidenceDurability.Durable);
        var beforeTimer = (await test.Store.Evidence.GetLatestCheckpointAsync("u"))!.TreeSize;
        test.Time.Advance(TimeSpan.FromSeconds(31));
        await test.Store.Evidence.FlushAsync();

        // The timer queued the checkpoint work; flush again to wait for it behind the first flush marker.
        await test.Store.Evidence.FlushAsync();
        var head = await test.Store.Evidence.GetTreeHeadAsync("u");
        Assert.Multiple(async () =>
        {
            Assert.That(beforeTimer, Is.EqualTo(1));
            Assert.That(head.TreeSize, Is.EqualTo(2));
            Assert.That((await test.Store.Evidence.GetLatestCheckpointAsync("u"))!.TreeSize, Is.EqualTo(head.TreeSize), "T time");
        });
    }

    [Test]
    public async Task Exported_checkpoint_files_hold_the_latest_signed_checkpoint()
    {
        await using var test = await TestStore.OpenAsync(o => o.CheckpointExportDirectory = null);
        var export = Path.Combine(test.Directory, "exported");
        await test.ReopenAsync(o => o.CheckpointExportDirectory = export);
        await test.WriteManyAsync("tenant/with spaces+plus", 10);
        var checkpoint = await test.Store.Evidence.CreateCheckpointAsync("tenant/with spaces+plus");

        var file = Directory.GetFiles(export, "*.checkpoint").Single();
        var parsed = SignedCheckpoint.Parse(File.ReadAllText(file), [CheckpointVerifier.Parse(test.Store.Evidence.CheckpointVerifierKey)]);
        Assert.Multiple(() =>
        {
            Assert.That(parsed.TreeSize, Is.EqualTo(10));
            Assert.That(parsed.RootHash.ToArray(), Is.EqualTo(checkpoint.RootHash.ToArray()));
            Assert.That(parsed.Origin, Is.EqualTo("aruntime.local/evidence/tenant%2Fwith%20spaces%2Bplus"));
        });
    }

    [Test]
    public async Task A_host_signing_key_signs_checkpoints_that_verify_with_its_public_key_only()
    {
        using var hostKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var test = await TestStore.OpenAsync(o =>
        {
            o.CheckpointSigningKey = hostKey;
            o.CheckpointKeyName = "example.com/audit";
        });
        await test.WriteManyAsync("t", 3);
        var checkpoint = await test.Store.Evidence.CreateCheckpointAsync("t");
        var verifier = CheckpointSigner.Create("example.com/audit", hostKey).CreateVerifier();
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var other = CheckpointSigner.Create("example.com/audit", otherKey).CreateVerifier();

        Assert.Multiple(() =>
        {
            Assert.That(SignedCheckpoint.Parse(checkpoint.Note, [verifier]).TreeSize, Is.EqualTo(3));
            Assert.That(() => SignedCheckpoint.Parse(checkpoint.Note, [other]), Throws.TypeOf<CheckpointVerificationException>());
            Assert.That(() => SignedCheckpoint.Parse(checkpoint.Note.Replace("\n3\n", "\n4\n", StringComparison.Ordinal), [verifier]), Throws.TypeOf<CheckpointVerificationException>());
        });
    }

    [Test]
    public async Task A_closed_store_fails_writes_with_an_evidence_write_error()
    {
        var test = await TestStore.OpenAsync();
        var evidence = test.Store.Evidence;
        await test.DisposeAsync();

        Assert.That(async () => await evidence.WriteAsync(TestStore.Record("t", 1), EvidenceDurability.Durable), Throws.TypeOf<EvidenceWriteException>());
    }

    [Test]
    public async Task Health_reports_a_healthy_writer_and_its_committed_writes()
    {
        await using var test = await TestStore.OpenAsync();
        await test.WriteManyAsync("t", 10);

        var health = test.Store.Evidence.Health;
        Assert.Multiple(() =>
        {
            Assert.That(health.IsHealthy, Is.True);
            Assert.That(health.CommittedWrites, Is.GreaterThanOrEqualTo(10));
            Assert.That(health.LostAcknowledgedRecords, Is.Zero);
            Assert.That(health.LastError, Is.Null);
        });
    }
}
