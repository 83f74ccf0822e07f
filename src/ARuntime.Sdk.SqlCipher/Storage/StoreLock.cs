namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// An exclusive lock on <c>&lt;database&gt;.lock</c>, held while a store is open so that a second store (in any process)
/// fails fast instead of corrupting the evidence tree. The operating system releases it when the process dies, so a
/// crashed process never leaves the database locked.
/// </summary>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream stream;

    private StoreLock(FileStream stream)
    {
        this.stream = stream;
    }

    public static StoreLock Acquire(string databasePath)
    {
        var lockPath = databasePath + ".lock";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            return new StoreLock(new FileStream(lockPath, options));
        }
        catch (IOException ex)
        {
            throw new StoreInUseException($"The database {databasePath} is open in another store instance (the lock {lockPath} is held). Close it first; one store owns a database at a time.", ex);
        }
    }

    public void Dispose() => stream.Dispose();
}
