using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>The process-wide evidence buffer on its own: order, durability, bounds, and reconciliation.</summary>
public sealed class EvidenceBufferTests
{
    private static EvidenceRecord Record(string request, int sequence) => new()
    {
        RecordId = $"ev_{request}_{sequence}",
        RequestId = request,
        TenantId = "tenant-a",
        Sequence = sequence,
        Stage = LifecycleStage.Inference,
        Kind = EvidenceKinds.Stage,
        Outcome = StageOutcome.Completed,
        Timestamp = DateTimeOffset.UnixEpoch,
    };

    [Test]
    public async Task WhileTheStoreFails_WritesAreKept_AndFlushSaysSo()
    {
        var sink = new RecordingEvidenceSink { FailWhen = (_, _) => true };
        await using var buffer = new EvidenceBuffer(sink, 10, null, new FakeTimeProvider());

        var acknowledged = await buffer.WriteOrBufferAsync(Record("r1", 1), EvidenceDurability.Acknowledged, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(acknowledged, Is.EqualTo(EvidenceWriteStatus.Buffered));
            Assert.That(buffer.IsPending("ev_r1_1"), Is.True);
            Assert.That(async () => await buffer.WriteAsync(Record("r1", 2), EvidenceDurability.Durable), Throws.TypeOf<EvidenceWriteException>(), "a durable write is never reported durable while buffered");
            Assert.That(async () => await buffer.FlushAsync(), Throws.TypeOf<EvidenceWriteException>().With.Message.Contains("2 record(s)"));
            Assert.That(buffer.BacklogCount, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task WhenTheStoreRecovers_RecordsAreWrittenInOrderWithTheirDurability_ThenTheGapRecord()
    {
        var sink = new RecordingEvidenceSink { FailWhen = (_, _) => true };
        await using var buffer = new EvidenceBuffer(sink, 10, null, new FakeTimeProvider());
        await buffer.WriteOrBufferAsync(Record("r1", 1), EvidenceDurability.Acknowledged, CancellationToken.None);
        await buffer.WriteOrBufferAsync(Record("r1", 2), EvidenceDurability.Durable, CancellationToken.None);

        sink.FailWhen = null;
        var status = await buffer.WriteOrBufferAsync(Record("r1", 3), EvidenceDurability.Acknowledged, CancellationToken.None);

        var written = sink.WithDurability("r1");
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(EvidenceWriteStatus.Written));
            Assert.That(written.Select(w => (w.Record.Kind, w.Record.Sequence)), Is.EqualTo(new[] { ("stage", 1), ("stage", 2), (EvidenceKinds.Gap, 0), ("stage", 3) }));
            Assert.That(written[1].Durability, Is.EqualTo(EvidenceDurability.Durable));
            Assert.That(written[2].Record.Attributes["sequences"], Is.EqualTo("1-2"));
            Assert.That(buffer.IsPending("ev_r1_1"), Is.False);
        });
    }

    [Test]
    public async Task GapBookkeepingIsBoundedToo()
    {
        var sink = new RecordingEvidenceSink { FailWhen = (_, _) => true };
        await using var buffer = new EvidenceBuffer(sink, 2, null, new FakeTimeProvider());
        foreach (var request in new[] { "r1", "r2", "r3", "r4" })
        {
            await buffer.WriteOrBufferAsync(Record(request, 1), EvidenceDurability.Acknowledged, CancellationToken.None);
        }

        sink.FailWhen = null;
        await buffer.FlushAsync();

        var gaps = sink.Records.Where(r => r.Kind == EvidenceKinds.Gap).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(gaps.Select(g => g.RequestId), Is.EquivalentTo(new[] { "r1", "r2", "_evidence_outage" }));
            var overflow = gaps.Single(g => g.RequestId == "_evidence_outage");
            Assert.That(overflow.Attributes["requests"], Is.EqualTo("2"));
            Assert.That(overflow.Attributes["dropped"], Is.EqualTo("2"), "the backlog holds two records; the other two were lost and are counted");
            Assert.That(buffer.DroppedTotal, Is.EqualTo(2));
        });
    }
}
