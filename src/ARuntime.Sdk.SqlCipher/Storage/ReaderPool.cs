using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// A small pool of keyed read connections. WAL lets them read committed data while the writer commits. Rekeying drains
/// the pool (every lease returned, every connection closed) before the key changes.
/// </summary>
internal sealed class ReaderPool : IDisposable
{
    private readonly SqlCipherConnectionFactory factory;
    private readonly SemaphoreSlim slots;
    private readonly ConcurrentBag<SqliteConnection> idle = [];
    private readonly int size;

    public ReaderPool(SqlCipherConnectionFactory factory, int size)
    {
        this.factory = factory;
        this.size = size;
        slots = new SemaphoreSlim(size, size);
    }

    public async ValueTask<Lease> RentAsync(CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new Lease(this, idle.TryTake(out var connection) ? connection : factory.Open());
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/> with no read connection open (all slots held), then releases the pool.</summary>
    public async Task RunDrainedAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        var held = 0;
        try
        {
            for (; held < size; held++)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            while (idle.TryTake(out var connection))
            {
                connection.Dispose();
            }

            await action().ConfigureAwait(false);
        }
        finally
        {
            if (held > 0)
            {
                slots.Release(held);
            }
        }
    }

    public void Dispose()
    {
        while (idle.TryTake(out var connection))
        {
            connection.Dispose();
        }

        slots.Dispose();
    }

    private void Return(SqliteConnection connection, bool broken)
    {
        if (broken)
        {
            connection.Dispose();
        }
        else
        {
            idle.Add(connection);
        }

        slots.Release();
    }

    /// <summary>A rented connection; disposing returns it.</summary>
    internal sealed class Lease(ReaderPool pool, SqliteConnection connection) : IDisposable
    {
        private bool returned;

        public SqliteConnection Connection { get; } = connection;

        /// <summary>Marks the connection as unusable (it is closed instead of pooled).</summary>
        public bool Broken { get; set; }

        public void Dispose()
        {
            if (!returned)
            {
                returned = true;
                pool.Return(Connection, Broken);
            }
        }
    }
}
