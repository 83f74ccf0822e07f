using ARuntime.Sdk.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

/// <summary>The writer's bounded queue: writers wait for room and are let in again, and nothing queued is lost or repeated.</summary>
public sealed class WriteQueueTests
{
    [Test]
    public async Task Many_writers_through_a_tiny_queue_all_land_once_in_order_of_the_log()
    {
        // Capacity 4 with 16 writers: nearly every write finds the queue full and waits for the writer loop to make room.
        await using var test = await TestStore.OpenAsync(o =>
        {
            o.WriteQueueCapacity = 4;
            o.MaxBatchSize = 3;
        });
        const int Writers = 16;
        const int PerWriter = 150;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var durability = i % 10 == 9 ? EvidenceDurability.Durable : EvidenceDurability.Acknowledged;
                await test.Store.Evidence.WriteAsync(TestStore.Record("t", (w * PerWriter) + i), durability);
            }
        })));
        await test.Store.Evidence.FlushAsync();
        var report = await test.Store.Evidence.VerifyAsync("t");
        var ids = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "t" }).Select(r => r.RecordId).ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.TreeSize, Is.EqualTo(Writers * PerWriter));
            Assert.That(ids, Is.Unique);
            Assert.That(ids, Has.Count.EqualTo(Writers * PerWriter));
            Assert.That(test.Store.Evidence.Health.LostAcknowledgedRecords, Is.Zero);
        });
    }

    [Test]
    public async Task A_write_after_the_store_closed_fails_with_a_clear_error_and_queued_writes_are_kept()
    {
        await using var test = await TestStore.OpenAsync();
        var queued = Enumerable.Range(0, 200).Select(i => test.Store.Evidence.WriteAsync(TestStore.Record("t", i), EvidenceDurability.Acknowledged).AsTask()).ToList();
        await Task.WhenAll(queued);
        var store = test.Store;
        await test.CloseAsync();

        Assert.That(
            async () => await store.Evidence.WriteAsync(TestStore.Record("t", 999), EvidenceDurability.Durable),
            Throws.TypeOf<EvidenceWriteException>().With.Message.Contains("closed"));

        await test.ReopenAsync();
        var report = await test.Store.Evidence.VerifyAsync("t");
        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.TreeSize, Is.EqualTo(200), "closing drains and commits what was queued");
        });
    }
}
