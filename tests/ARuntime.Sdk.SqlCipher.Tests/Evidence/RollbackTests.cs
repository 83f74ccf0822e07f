using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary>A database copy older than a checkpoint kept outside it (or with a rewritten history) is rejected on open.</summary>
public sealed class RollbackTests
{
    [Test]
    public async Task A_rolled_back_copy_is_rejected_against_the_exported_checkpoint()
    {
        await using var test = await TestStore.OpenAsync(o =>
        {
            o.CheckpointEveryRecords = 10;
            o.CheckpointExportDirectory = null;
        });
        var export = Path.Combine(test.Directory, "checkpoints");
        await test.ReopenAsync(o => o.CheckpointExportDirectory = export);
        await test.WriteManyAsync("t", 100);
        await test.CloseAsync();
        var backup = Path.Combine(test.Directory, "older.db");
        File.Copy(test.DatabasePath, backup);

        await test.ReopenAsync(o => o.CheckpointExportDirectory = export);
        await test.WriteManyAsync("t", 50, start: 100);
        await test.CloseAsync();

        // Restore the older copy over the database.
        File.Copy(backup, test.DatabasePath, overwrite: true);
        var error = await Assert.ThrowsAsync<EvidenceRollbackException>(async () => await test.ReopenAsync(o => o.CheckpointExportDirectory = export));

        Assert.Multiple(() =>
        {
            Assert.That(error!.TenantId, Is.EqualTo("t"));
            Assert.That(error.DatabaseTreeSize, Is.EqualTo(100));
            Assert.That(error.CheckpointTreeSize, Is.EqualTo(150));
        });
    }

    [Test]
    public async Task A_copy_with_a_rewritten_history_is_rejected_against_a_trusted_checkpoint()
    {
        await using var test = await TestStore.OpenAsync();
        await test.WriteManyAsync("t", 40);
        await test.CloseAsync();
        var backup = Path.Combine(test.Directory, "older.db");
        File.Copy(test.DatabasePath, backup);

        await test.ReopenAsync();
        await test.WriteManyAsync("t", 20, start: 40);
        var kept = (await test.Store.Evidence.CreateCheckpointAsync("t")).Note;
        await test.CloseAsync();

        // The older copy grows a different history of the same length.
        File.Copy(backup, test.DatabasePath, overwrite: true);
        await test.ReopenAsync();
        await test.WriteManyAsync("t", 20, start: 900);
        await test.CloseAsync();

        var error = await Assert.ThrowsAsync<EvidenceRollbackException>(async () => await test.ReopenAsync(o => o.TrustedCheckpoints.Add(kept)));
        Assert.That(error!.Message, Does.Contain("different root"));
    }

    [Test]
    public async Task The_current_log_passes_and_yields_a_consistency_proof_from_the_kept_checkpoint()
    {
        await using var test = await TestStore.OpenAsync();
        await test.WriteManyAsync("t", 25);
        var kept = await test.Store.Evidence.CreateCheckpointAsync("t");
        await test.WriteManyAsync("t", 30, start: 25);
        await test.ReopenAsync(o => o.TrustedCheckpoints.Add(kept.Note));

        var proof = await test.Store.Evidence.CheckAgainstCheckpointAsync(kept.Note);

        Assert.Multiple(() =>
        {
            Assert.That(proof.FirstSize, Is.EqualTo(25));
            Assert.That(proof.SecondSize, Is.EqualTo(55));
            Assert.That(proof.FirstRoot.ToArray(), Is.EqualTo(kept.RootHash.ToArray()));
            Assert.That(proof.Verify(), Is.True);
        });
    }

    [Test]
    public async Task A_forged_checkpoint_is_refused()
    {
        await using var test = await TestStore.OpenAsync();
        await test.WriteManyAsync("t", 5);
        var note = (await test.Store.Evidence.CreateCheckpointAsync("t")).Note;
        var forged = note.Replace("\n5\n", "\n3\n", StringComparison.Ordinal);

        Assert.That(async () => await test.Store.Evidence.CheckAgainstCheckpointAsync(forged), Throws.TypeOf<CheckpointVerificationException>());
    }
}
