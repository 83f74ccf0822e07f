using ARuntime.Sdk.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

/// <summary>
/// Durable writes in both durability modes: with <see cref="SqlCipherStoreOptions.FullSync"/> callers are released after the
/// WAL syncer flushed their commit; without it, after COMMIT. Either way a released write is in the log after a restart.
/// (Power loss itself is not simulated here; the SIGKILL test in ARuntime.Sdk.IntegrationTests covers a killed process.)
/// </summary>
public sealed class DurabilityTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task Released_durable_writes_and_other_operations_are_there_after_a_restart(bool fullSync)
    {
        await using var test = await TestStore.OpenAsync(o => o.FullSync = fullSync);
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => test.Store.Evidence.WriteAsync(TestStore.Record("t", i), EvidenceDurability.Durable).AsTask()));
        var claim = await test.Store.Idempotency.TryClaimAsync("t", "k", "d", "req-1", test.Time.GetUtcNow().AddHours(1));
        await test.ReopenAsync();

        var report = await test.Store.Evidence.VerifyAsync("t");
        var again = await test.Store.Idempotency.TryClaimAsync("t", "k", "d", "req-2", test.Time.GetUtcNow().AddHours(1));
        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.TreeSize, Is.EqualTo(300));
            Assert.That(claim.Status, Is.EqualTo(ARuntime.Sdk.Idempotency.IdempotencyClaimStatus.Claimed));
            Assert.That(again.Status, Is.EqualTo(ARuntime.Sdk.Idempotency.IdempotencyClaimStatus.InProgress));
        });
    }
}
