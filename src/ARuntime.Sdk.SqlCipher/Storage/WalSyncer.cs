using ARuntime.Sdk.Evidence;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// Makes committed batches durable off the writer loop. With <see cref="SqlCipherStoreOptions.FullSync"/> the writer
/// connection commits with <c>synchronous = NORMAL</c> (the WAL is written but not flushed) and this loop flushes the WAL
/// file to stable storage, then releases the operations of every batch committed before the flush started. Callers still
/// see their write complete only once it is on stable storage, exactly as with <c>synchronous = FULL</c>; the writer
/// meanwhile builds and commits the next batch instead of waiting for the disk. SQLite still flushes the WAL itself
/// before every checkpoint copies it into the database, and the database after.
/// </summary>
internal sealed class WalSyncer : IDisposable
{
    private readonly string walPath;
    private readonly StoreHealthTracker health;
    private readonly TimeProvider timeProvider;
    private readonly Lock gate = new();
    private readonly SemaphoreSlim signal = new(0);
    private readonly Task loop;
    private List<WriteOperation> pending = [];
    private FileStream? wal;
    private bool completed;

    public WalSyncer(string databasePath, StoreHealthTracker health, TimeProvider timeProvider)
    {
        walPath = databasePath + "-wal";
        this.health = health;
        this.timeProvider = timeProvider;
        loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Hands over operations whose transaction committed; they complete (or fail) after the next flush.</summary>
    public void Add(List<WriteOperation> committed)
    {
        lock (gate)
        {
            pending.AddRange(committed);
        }

        signal.Release();
    }

    /// <summary>Flushes what is pending and stops.</summary>
    public async Task CompleteAsync()
    {
        lock (gate)
        {
            completed = true;
        }

        signal.Release();
        await loop.ConfigureAwait(false);
    }

    public void Dispose()
    {
        signal.Dispose();
        wal?.Dispose();
    }

    private void Run()
    {
        var batch = new List<WriteOperation>();
        while (true)
        {
            signal.Wait();
            bool done;
            lock (gate)
            {
                (batch, pending) = (pending, batch);
                done = completed;
            }

            if (batch.Count > 0)
            {
                Flush(batch);
                batch.Clear();
            }

            if (done)
            {
                lock (gate)
                {
                    if (pending.Count == 0)
                    {
                        return;
                    }
                }

                signal.Release();
            }
        }
    }

    private void Flush(List<WriteOperation> batch)
    {
        try
        {
            // fsync applies to the file, whichever descriptor asks; this one is never written through.
            wal ??= new FileStream(walPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite | FileShare.Delete });
            wal.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var error = new EvidenceWriteException("Committed writes could not be flushed to stable storage; their durability is unknown.", ex);
            health.RecordFailure(error, timeProvider.GetUtcNow());
            foreach (var operation in batch)
            {
                operation.Fail(error);
            }

            wal?.Dispose();
            wal = null;
            return;
        }

        foreach (var operation in batch)
        {
            if (operation.Failure is { } failure)
            {
                operation.Fail(failure);
            }
            else
            {
                operation.Complete();
            }
        }
    }
}
