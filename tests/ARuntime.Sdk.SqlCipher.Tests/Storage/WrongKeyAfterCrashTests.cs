using System.Security.Cryptography;
using ARuntime.Sdk.SqlCipher.Keys;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

/// <summary>
/// A wrong key changes nothing on disk even when the file still has a write-ahead log — the state a crash (or a copy taken
/// while the store was open) leaves. A read-write SQLite connection that fails to read would checkpoint that log into the
/// database when it closes; the store proves the key on a read-only connection first.
/// </summary>
public sealed class WrongKeyAfterCrashTests
{
    [Test]
    public async Task A_wrong_key_leaves_a_database_and_its_write_ahead_log_byte_for_byte_as_they_were()
    {
        await using var test = await TestStore.OpenAsync();
        await test.WriteManyAsync("acme", 300);

        // Copy the files while the store is open: the copy has a non-empty WAL, as after a crash.
        var copy = Path.Combine(test.Directory, "copy");
        Directory.CreateDirectory(copy);
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Copy(test.DatabasePath + suffix, Path.Combine(copy, "store.db" + suffix));
        }

        var copiedDatabase = Path.Combine(copy, "store.db");
        Assume.That(new FileInfo(copiedDatabase + "-wal").Length, Is.GreaterThan(0), "the copy must have a write-ahead log to replay");
        var before = Fingerprint(copiedDatabase);

        using var wrong = StoreKey.Generate();
        await Assert.ThrowsAsync<StoreKeyException>(async () =>
            await SqlCipherStore.OpenAsync(test.CreateOptions(o =>
            {
                o.DatabasePath = copiedDatabase;
                o.KeyProvider = StoreKeyProvider.FromKey(wrong);
            }), test.Time));

        Assert.Multiple(() =>
        {
            Assert.That(Fingerprint(copiedDatabase), Is.EqualTo(before), "database and WAL unchanged, and the WAL still there");
            Assert.That(File.Exists(copiedDatabase + ".lock"), Is.False, "no lock file was created for a store that was not opened");
        });

        // The right key still opens the copy, with every record.
        await using var reopened = await SqlCipherStore.OpenAsync(test.CreateOptions(o => o.DatabasePath = copiedDatabase), test.Time);
        var report = await reopened.Evidence.VerifyAsync("acme");
        Assert.That(report.IsValid, Is.True, report.Message);
        Assert.That(report.TreeSize, Is.EqualTo(300));
    }

    private static string Fingerprint(string database) =>
        string.Join(
            " ",
            new[] { database, database + "-wal" }.Select(path => File.Exists(path) ? $"{new FileInfo(path).Length}:{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))}" : "absent"));
}
