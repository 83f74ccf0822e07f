using System.Text;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tests.Memory;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

/// <summary><see cref="SqlCipherStore.CompactAsync"/>: the file gives back the space of erased data and stays an encrypted, verifiable store.</summary>
public sealed class MaintenanceTests
{
    [Test]
    public async Task Compact_shrinks_the_file_after_an_erasure_and_it_stays_encrypted_and_verifiable_under_the_same_key()
    {
        await using var test = await TestStore.OpenAsync(o => o.StoreRawPayloadContent = true);

        // Tenant "gone" fills many pages with sealed payloads and memory; erasing it frees them (its leaves stay).
        var filler = new string('x', 2000);
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            test.Store.Evidence.WriteAsync(TestStore.Record("gone", i, payloads: TestStore.Payload("prompt", $"{i} {filler}", keepContent: true)), EvidenceDurability.Durable).AsTask()));
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            test.Store.Memory.RetainAsync(MemoryStoreTests.Write(MemoryScope.ForActor("gone", "alice"), $"memory {i} {filler}")).AsTask()));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            test.Store.Evidence.WriteAsync(TestStore.Record("kept", i, payloads: TestStore.Payload("prompt", $"kept prompt {i}", keepContent: true)), EvidenceDurability.Durable).AsTask()));
        var keptMemory = await MemoryStoreTests.Retain(test, MemoryScope.ForActor("kept", "carol"), "kept tenant's memory");
        await test.Store.EraseTenantAsync("gone", "offboarding");

        // Closing checkpoints the WAL into the file, so its size is the database's.
        await test.CloseAsync();
        var sizeBefore = new FileInfo(test.DatabasePath).Length;
        await test.ReopenAsync();
        var (pagesBefore, freeBefore) = PageCounts(test);

        await test.Store.CompactAsync();

        var (pagesAfter, freeAfter) = PageCounts(test);
        var sizeAfter = new FileInfo(test.DatabasePath).Length;
        var walAfter = new FileInfo(test.DatabasePath + "-wal").Length;
        var header = new byte[16];
        using (var stream = new FileStream(test.DatabasePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.ReadExactly(header);
        }

        Assert.Multiple(() =>
        {
            Assert.That(freeBefore, Is.Positive, "the erasure freed pages");
            Assert.That(pagesAfter, Is.LessThan(pagesBefore - (pagesBefore / 4)), $"VACUUM repacked the pages ({pagesBefore} -> {pagesAfter}, {freeBefore} were free)");
            Assert.That(freeAfter, Is.Zero);
            Assert.That(sizeAfter, Is.LessThan(sizeBefore - (sizeBefore / 4)), $"the file shrank ({sizeBefore} -> {sizeAfter} bytes)");
            Assert.That(walAfter, Is.Zero, "the WAL was truncated");
            Assert.That(header, Is.Not.EqualTo(Encoding.ASCII.GetBytes("SQLite format 3\0")), "the compacted file is still encrypted");
            Assert.That(SqlCipherConnectionFactory.StartsWithPlaintextHeader(test.DatabasePath), Is.False);
        });

        // The open store keeps working on the compacted file, and it reopens with the same key.
        await test.Store.Evidence.WriteAsync(TestStore.Record("kept", 100), EvidenceDurability.Durable);
        await test.ReopenAsync();
        var kept = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "kept" }).ToListAsync();
        var keptReport = await test.Store.Evidence.VerifyAsync("kept");
        var goneReport = await test.Store.Evidence.VerifyAsync("gone");

        Assert.Multiple(async () =>
        {
            Assert.That(test.Store.Library.Encrypted, Is.True);
            Assert.That(keptReport.IsValid, Is.True, keptReport.Message);
            Assert.That(keptReport.TreeSize, Is.EqualTo(21 + 1), "20 records, the new one and the memory.retained record");
            Assert.That(goneReport.IsValid, Is.True, goneReport.Message);
            Assert.That(goneReport.TreeSize, Is.EqualTo(300 + 50 + 1), "the erased tenant's leaves stay");
            Assert.That(kept.Where(r => r.Kind == "stage" && r.Payloads.Count > 0).Select(r => r.Payloads[0].Content), Is.EquivalentTo(Enumerable.Range(0, 20).Select(i => $"kept prompt {i}")));
            Assert.That((await test.Store.Memory.GetAsync(MemoryScope.ForActor("kept", "carol"), keptMemory.Id))!.Content, Is.EqualTo("kept tenant's memory"));
            Assert.That(await test.Store.Memory.ExportAsync(MemoryScope.ForActor("gone", "alice")).CountAsync(), Is.Zero);
        });
    }

    private static (long Pages, long Free) PageCounts(TestStore test)
    {
        using var raw = test.OpenRaw();
        return (raw.ScalarInt64("PRAGMA page_count") ?? 0, raw.ScalarInt64("PRAGMA freelist_count") ?? 0);
    }
}
