using ARuntime.Sdk.SqlCipher.Native;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

/// <summary>
/// The keyring is replaced by a rename, which is durable only once its directory entry is flushed. Whether the flush
/// reached the disk cannot be observed without cutting the power; these tests prove the libc calls bind and report
/// failure instead of ignoring it.
/// </summary>
public sealed class DirectorySyncTests
{
    [Test]
    public void A_directory_is_flushed()
    {
        var directory = Directory.CreateTempSubdirectory("aruntime-dirsync-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "entry"), "x");

            Assert.That(() => DirectorySync.Flush(directory.FullName), Throws.Nothing);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void A_directory_that_cannot_be_opened_is_an_IOException()
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False, "Windows needs no directory flush");
        var missing = Path.Combine(Path.GetTempPath(), "aruntime-dirsync-missing-" + Guid.NewGuid().ToString("N"));

        Assert.That(() => DirectorySync.Flush(missing), Throws.TypeOf<IOException>().With.Message.Contains("errno 2"));
    }
}
