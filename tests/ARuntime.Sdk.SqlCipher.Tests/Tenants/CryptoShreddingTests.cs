using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;
using ARuntime.Sdk.SqlCipher.Tests.Memory;

namespace ARuntime.Sdk.SqlCipher.Tests.Tenants;

public sealed class CryptoShreddingTests
{
    [Test]
    public async Task A_backup_taken_before_a_tenant_was_erased_no_longer_yields_that_tenants_payloads()
    {
        await using var test = await TestStore.OpenAsync(o => o.StoreRawPayloadContent = true);
        var erasedScope = MemoryScope.ForActor("erased", "alice");
        var keptScope = MemoryScope.ForActor("kept", "carol");
        await MemoryStoreTests.Retain(test, erasedScope, "erased tenant's private memory");
        await MemoryStoreTests.Retain(test, keptScope, "kept tenant's memory");
        await test.Store.Evidence.WriteAsync(TestStore.Record("erased", 1, payloads: TestStore.Payload("prompt", "erased tenant's raw prompt", keepContent: true)), EvidenceDurability.Durable);
        await test.Store.Evidence.WriteAsync(TestStore.Record("kept", 1, payloads: TestStore.Payload("prompt", "kept tenant's raw prompt", keepContent: true)), EvidenceDurability.Durable);

        // The backup holds the erased tenant's sealed data…
        var backup = Path.Combine(test.Directory, "backup.db");
        await test.Store.BackupAsync(backup);

        await test.Store.EraseTenantAsync("erased", "gdpr.article17");
        var liveRecords = await test.Store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "erased" }).ToListAsync();
        var liveReport = await test.Store.Evidence.VerifyAsync("erased");
        var liveMemory = await test.Store.Memory.ExportAsync(erasedScope).ToListAsync();
        var keyringPath = test.Store.KeyringPath;
        await test.CloseAsync();

        // …but restored with the keyring in force today, none of it opens; the other tenant's data does.
        await using var restored = await SqlCipherStore.OpenAsync(
            test.CreateOptions(o =>
            {
                o.DatabasePath = backup;
                o.KeyringPath = keyringPath;
            }),
            test.Time);
        var restoredRecord = await restored.Evidence.QueryAsync(new EvidenceQuery { TenantId = "erased", Kind = "stage" }).SingleAsync();
        var restoredReport = await restored.Evidence.VerifyAsync("erased");

        Assert.Multiple(async () =>
        {
            Assert.That(liveMemory, Is.Empty);
            Assert.That(liveRecords.Select(r => r.Kind), Does.Contain("tenant.erased"));
            Assert.That(liveRecords.Single(r => r.Kind == "stage").Payloads[0].Algorithm, Is.EqualTo("erased"));
            Assert.That(liveReport.IsValid, Is.True, liveReport.Message);

            Assert.That(async () => await restored.Memory.ExportAsync(erasedScope).ToListAsync(), Throws.TypeOf<TenantDataUnavailableException>());
            Assert.That(restoredRecord.Payloads[0].Content, Is.Null);
            Assert.That(restoredRecord.Payloads[0].Algorithm, Is.EqualTo("erased"), "the payload's data key is gone");
            Assert.That(restoredReport.IsValid, Is.True, "the leaves still verify: " + restoredReport.Message);
            Assert.That((await restored.Memory.ExportAsync(keptScope).SingleAsync()).Content, Is.EqualTo("kept tenant's memory"));
            Assert.That((await restored.Evidence.QueryAsync(new EvidenceQuery { TenantId = "kept", Kind = "stage" }).SingleAsync()).Payloads[0].Content, Is.EqualTo("kept tenant's raw prompt"));
        });
    }

    [Test]
    public async Task A_database_whose_keyring_is_missing_is_refused_with_a_clear_error()
    {
        await using var test = await TestStore.OpenAsync();
        await MemoryStoreTests.Retain(test, MemoryScope.ForActor("t", "a"), "something");
        await test.CloseAsync();
        File.Delete(test.DatabasePath + ".keyring");

        var error = await Assert.ThrowsAsync<StoreFormatException>(async () => await test.ReopenAsync());
        Assert.That(error!.Message, Does.Contain("keyring").And.Contain("missing"));
    }

    [Test]
    public async Task A_keyring_of_another_database_is_refused()
    {
        await using var first = await TestStore.OpenAsync();
        await MemoryStoreTests.Retain(first, MemoryScope.ForActor("t", "a"), "first");
        await using var second = await TestStore.OpenAsync();
        await MemoryStoreTests.Retain(second, MemoryScope.ForActor("t", "a"), "second");
        await second.CloseAsync();

        var error = await Assert.ThrowsAsync<StoreFormatException>(async () =>
            await SqlCipherStore.OpenAsync(second.CreateOptions(o => o.KeyringPath = first.Store.KeyringPath), second.Time));
        Assert.That(error!.Message, Does.Contain("does not belong to this database"));
    }
}
