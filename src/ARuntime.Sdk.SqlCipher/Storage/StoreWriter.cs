using System.Diagnostics;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Evidence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// The database's single writer: a bounded queue drained by one loop that commits whatever has accumulated as one
/// transaction (group commit), up to <see cref="SqlCipherStoreOptions.MaxBatchSize"/> operations. Durable callers are
/// released only after COMMIT returned; a failed commit is retried, then its operations fail. The queue is a
/// <see cref="WriteQueue"/> (no lock on the write path).
/// </summary>
internal sealed class StoreWriter : IAsyncDisposable
{
    private readonly WriteQueue queue;
    private readonly SqliteConnection connection;
    private readonly EvidenceLog log;
    private readonly SqlCipherStoreOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly WriteContext context;
    private readonly Task loop;
    private readonly StoreHealthTracker health;
    private readonly WalSyncer? syncer;

    public StoreWriter(SqliteConnection connection, EvidenceLog log, SqlCipherStoreOptions options, TimeProvider timeProvider, ILogger logger, StoreHealthTracker health)
    {
        this.connection = connection;
        this.log = log;
        this.options = options;
        this.timeProvider = timeProvider;
        this.logger = logger;
        this.health = health;
        context = new WriteContext(connection, log);
        if (options.FullSync)
        {
            // Durability moves to the syncer (see WalSyncer): commits write the WAL, the syncer flushes it before callers are released.
            connection.Execute("PRAGMA synchronous = NORMAL");
            syncer = new WalSyncer(Path.GetFullPath(options.DatabasePath), health, timeProvider);
        }

        queue = new WriteQueue(options.WriteQueueCapacity);
        loop = Task.Run(RunAsync);
    }

    /// <summary>Gets the number of operations waiting in the queue.</summary>
    public int Pending => queue.Count;

    /// <summary>Queues an operation; waits while the queue is full.</summary>
    public ValueTask SubmitAsync(WriteOperation operation, CancellationToken cancellationToken) => queue.WriteAsync(operation, cancellationToken);

    /// <summary>Runs a function in a write transaction and returns its result once committed.</summary>
    public async Task<T> ExecuteAsync<T>(Func<WriteContext, T> work, CancellationToken cancellationToken, bool exclusive = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new WorkOperation<T>(work, exclusive);
        await SubmitAsync(operation, cancellationToken).ConfigureAwait(false);

        // Once queued, the operation runs even if the caller stops waiting.
        return await operation.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Complete();
        await loop.ConfigureAwait(false);
        queue.Dispose();
        if (syncer is not null)
        {
            await syncer.CompleteAsync().ConfigureAwait(false);
            syncer.Dispose();
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteOperation>(options.MaxBatchSize);
        while (await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            Drain(batch);
            if (batch.Count == 0 && queue.TryRead(out var exclusive))
            {
                queue.Release(1);
                RunExclusive(exclusive);
                continue;
            }

            if (options.MaxBatchDelay > TimeSpan.Zero && batch.Count < options.MaxBatchSize)
            {
                await Task.Delay(options.MaxBatchDelay, timeProvider).ConfigureAwait(false);
                Drain(batch);
            }

            // The batch's operations have left the queue: writers waiting for room may go on while it commits.
            queue.Release(batch.Count);

            if (batch.Count > 0)
            {
                CommitBatch(batch);
            }
        }

        log.Dispose();
    }

    private void Drain(List<WriteOperation> batch)
    {
        while (batch.Count < options.MaxBatchSize && queue.TryPeek(out var next) && !next.Exclusive)
        {
            queue.TryRead(out _);
            batch.Add(next);
        }
    }

    private void RunExclusive(WriteOperation operation)
    {
        context.Now = timeProvider.GetUtcNow();
        try
        {
            operation.Execute(context);
        }
#pragma warning disable CA1031 // The failure goes to the operation's caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            operation.Fail(ex);
            return;
        }

        Release([operation]);
    }

    /// <summary>Completes committed operations: after the syncer flushed the WAL, or now when commits are not flushed.</summary>
    private void Release(List<WriteOperation> committed)
    {
        if (syncer is not null)
        {
            syncer.Add(committed);
            return;
        }

        foreach (var operation in committed)
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

    private void CommitBatch(List<WriteOperation> batch)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? lastError = null;
        foreach (var operation in batch)
        {
            operation.Failure = null;
        }

        // No savepoint per operation: SQLCipher encrypts every page it copies into a savepoint journal, which made
        // savepoints the dominant cost. An operation that fails instead rolls the whole transaction back and the batch is
        // replayed without it (operations are functions of the database state, so replaying them is safe).
        var attempt = 0;
        while (true)
        {
            try
            {
                context.Now = timeProvider.GetUtcNow();
                connection.Execute("BEGIN IMMEDIATE");
                foreach (var operation in batch)
                {
                    if (operation.Failure is not null)
                    {
                        continue;
                    }

                    try
                    {
                        operation.Execute(context);
                    }
                    catch (Exception ex) when (IsOperationFault(ex))
                    {
                        operation.Failure = ex;
                        throw new OperationFaultedException();
                    }
                }

                log.FinishBatch(context);
                connection.Execute("COMMIT");
            }
            catch (OperationFaultedException)
            {
                TryRollback();
                log.Abort();
                continue;
            }
#pragma warning disable CA1031 // Any failure rolls the batch back and is retried, then reported to every waiting caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lastError = ex;
                TryRollback();
                log.Abort();
                Log.BatchCommitFailed(logger, batch.Count, attempt + 1, ex);
                if (++attempt <= options.WriteRetries)
                {
                    continue;
                }

                var error = new EvidenceWriteException($"The store could not commit {batch.Count} writes after {options.WriteRetries + 1} attempts.", lastError);
                health.RecordFailure(error, timeProvider.GetUtcNow());
                foreach (var operation in batch)
                {
                    if (operation.Failure is { } own)
                    {
                        operation.Fail(own);
                    }
                    else
                    {
                        operation.NotCommitted(error);
                    }
                }

                return;
            }

            log.AfterCommit();
            var failed = batch.Count(o => o.Failure is not null);
            Release(batch);
            health.RecordCommit(batch.Count - failed, Stopwatch.GetElapsedTime(started));
            return;
        }
    }

    /// <summary>Whether an exception is the operation's own failure (bad input, a constraint) rather than the database's (I/O, full disk, corruption, lock).</summary>
    private static bool IsOperationFault(Exception exception) =>
        exception is not SqliteException { SqliteErrorCode: 5 or 8 or 10 or 11 or 13 or 14 or 26 } and not OutOfMemoryException;

    private void TryRollback()
    {
        try
        {
            connection.Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
            // No transaction was open (BEGIN itself failed) or SQLite already rolled back.
        }
    }

    /// <summary>Signals that one operation failed and the batch must be replayed without it.</summary>
    private sealed class OperationFaultedException : Exception
    {
    }
}
