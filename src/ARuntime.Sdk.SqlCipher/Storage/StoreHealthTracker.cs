using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>Tracks commit outcomes for <see cref="EvidenceStoreHealth"/> and the store's metrics.</summary>
internal sealed class StoreHealthTracker
{
    private readonly Lock gate = new();
    private bool healthy = true;
    private string? lastError;
    private DateTimeOffset? lastFailureAt;
    private long lostAcknowledged;
    private long unreportedLost;
    private long committed;

    /// <summary>Gets whether the last commit succeeded (read on every evidence write, so without the lock).</summary>
    public bool IsHealthy => Volatile.Read(ref healthy);

    public void RecordCommit(int writes, TimeSpan elapsed)
    {
        lock (gate)
        {
            Volatile.Write(ref healthy, true);
            committed += writes;
        }

        StoreTelemetry.CommittedWrites.Add(writes);
        StoreTelemetry.CommitDuration.Record(elapsed.TotalSeconds);
    }

    public void RecordFailure(Exception error, DateTimeOffset now)
    {
        lock (gate)
        {
            Volatile.Write(ref healthy, false);
            lastError = error.InnerException is { } inner ? $"{error.Message} {inner.Message}" : error.Message;
            lastFailureAt = now;
        }

        StoreTelemetry.FailedCommits.Add(1);
    }

    public void RecordLostAcknowledged(int count)
    {
        Interlocked.Add(ref lostAcknowledged, count);
        Interlocked.Add(ref unreportedLost, count);
        StoreTelemetry.LostAcknowledged.Add(count);
    }

    /// <summary>Returns and resets the number of acknowledged records lost since the last flush reported them.</summary>
    public long TakeUnreportedLost() => Interlocked.Exchange(ref unreportedLost, 0);

    public EvidenceStoreHealth Snapshot(int pending)
    {
        lock (gate)
        {
            return new EvidenceStoreHealth
            {
                IsHealthy = healthy,
                LastError = lastError,
                LastFailureAt = lastFailureAt,
                LostAcknowledgedRecords = Interlocked.Read(ref lostAcknowledged),
                CommittedWrites = committed,
                PendingWrites = pending,
            };
        }
    }
}
