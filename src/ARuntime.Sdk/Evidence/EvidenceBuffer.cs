using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Evidence;

/// <summary>
/// The process-wide side of the "trace persistence failure" row: a buffering decorator around the host's evidence sink.
/// While the store writes, records pass straight through. When a write fails, the record is kept in a bounded in-memory
/// backlog (the oldest failure first) and the outage is known: later writes first try to drain the backlog, in order, so a
/// request's records reach the store in sequence; a timer on the <see cref="TimeProvider"/> keeps trying while the backlog
/// is not empty. When the backlog drains, one <c>evidence.gap</c> record per affected request says what was delayed and —
/// if the backlog was full — which records were lost. The backlog outlives the request that wrote the records, so evidence
/// is reconciled when the store recovers even after the request has returned.
/// </summary>
/// <remarks>
/// Durable writes are never reported as durable unless the store acknowledged them: the buffer keeps the record (so it is
/// not lost) but reports <see cref="EvidenceWriteStatus.Buffered"/>, and the request fails closed.
/// </remarks>
internal sealed class EvidenceBuffer : DelegatingEvidenceSink, IAsyncDisposable, IDisposable
{
    private const int MaxListedSequences = 64;
    private static readonly (string Tenant, string Request) OverflowKey = ("_runtime", "_evidence_outage");
    private readonly Queue<(EvidenceRecord Record, EvidenceDurability Durability)> backlog = new();
    private readonly HashSet<string> pendingIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tenant, string Request), Gap> gaps = [];
    private readonly Lock gate = new();
    private readonly SemaphoreSlim drainLock = new(1, 1);
    private readonly int capacity;
    private readonly TimeSpan? reconcileInterval;
    private readonly TimeProvider timeProvider;
    private readonly ILogger? logger;
    private ITimer? timer;
    private int backlogCount;
    private int outstanding;
    private long droppedTotal;
    private bool disposed;

    public EvidenceBuffer(IEvidenceSink innerSink, IOptions<ARuntimeOptions> options, TimeProvider timeProvider, RuntimeLogging logging)
        : this(innerSink, options.Value.Evidence.MaxBufferedRecords, options.Value.Evidence.ReconcileInterval, timeProvider, logging.CreateLogger<EvidenceBuffer>())
    {
    }

    public EvidenceBuffer(IEvidenceSink innerSink, int capacity, TimeSpan? reconcileInterval, TimeProvider timeProvider, ILogger? logger = null)
        : base(innerSink)
    {
        this.capacity = Math.Max(0, capacity);
        this.reconcileInterval = reconcileInterval is { } interval && interval > TimeSpan.Zero ? interval : null;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    /// <summary>Gets the number of records waiting for the store.</summary>
    public int BacklogCount => Volatile.Read(ref backlogCount);

    /// <summary>Gets the number of records lost because the backlog was full, since the process started.</summary>
    public long DroppedTotal => Interlocked.Read(ref droppedTotal);

    /// <summary>Gets the background reconciliation started by the timer most recently (tests await it).</summary>
    internal Task LastBackgroundDrain { get; private set; } = Task.CompletedTask;

    /// <summary>Returns whether a record is still waiting for the store.</summary>
    public bool IsPending(string recordId)
    {
        lock (gate)
        {
            return pendingIds.Contains(recordId);
        }
    }

    /// <summary>Writes a record, or keeps it for later when the store fails; says which.</summary>
    public async ValueTask<EvidenceWriteStatus> WriteOrBufferAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Volatile.Read(ref outstanding) == 0)
        {
            try
            {
                await InnerSink.WriteAsync(record, durability, cancellationToken).ConfigureAwait(false);
                return EvidenceWriteStatus.Written;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                TakeBack(ex);
                return Enqueue(record, durability, ex);
            }
        }

        // A known outage: drain what is waiting first, so records reach the store in the order they were written.
        await drainLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!await DrainCoreAsync(cancellationToken).ConfigureAwait(false))
            {
                return Enqueue(record, durability, null);
            }

            try
            {
                await InnerSink.WriteAsync(record, durability, cancellationToken).ConfigureAwait(false);
                return EvidenceWriteStatus.Written;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                TakeBack(ex);
                return Enqueue(record, durability, ex);
            }
        }
        finally
        {
            drainLock.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>An acknowledged write that could only be buffered is accepted (it will be written); anything else throws.</remarks>
    public override async ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default)
    {
        var status = await WriteOrBufferAsync(record, durability, cancellationToken).ConfigureAwait(false);
        if (status == EvidenceWriteStatus.Dropped || (status == EvidenceWriteStatus.Buffered && durability == EvidenceDurability.Durable))
        {
            throw new EvidenceWriteException(status == EvidenceWriteStatus.Dropped
                ? "The evidence store is failing and the evidence backlog is full; the record was lost (a gap record will say so)."
                : "The evidence store is failing; the record is buffered but not durable.");
        }
    }

    /// <summary>
    /// Writes every waiting record, then flushes the store; throws when the store is still failing. Records the store hands
    /// back (acknowledged earlier, refused by the database since) join the backlog; when the store can commit again they are
    /// written at once and the flush repeated.
    /// </summary>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            await drainLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!await DrainCoreAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new EvidenceWriteException(string.Create(CultureInfo.InvariantCulture, $"The evidence store is still failing; {BacklogCount} record(s) wait in the backlog."));
                }
            }
            finally
            {
                drainLock.Release();
            }

            try
            {
                await InnerSink.FlushAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (EvidenceWriteException ex) when (ex.UnwrittenRecords.Count > 0)
            {
                TakeBack(ex);

                // An inner exception means the store cannot commit now: report it. Without one the records come from an earlier
                // failure and the store works again: write them now.
                if (ex.InnerException is not null || attempt > 0)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Tries once to write the backlog (without waiting for a drain already under way); returns whether it is empty.</summary>
    public async Task<bool> TryReconcileAsync(CancellationToken cancellationToken = default)
    {
        if (!await drainLock.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            return await DrainCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            drainLock.Release();
        }
    }

    /// <summary>Stops the reconciliation timer (a synchronous disposal cannot wait for the store; records still waiting are reported by their gap).</summary>
    public void Dispose()
    {
        ITimer? toDispose;
        lock (gate)
        {
            disposed = true;
            toDispose = timer;
            timer = null;
        }

        toDispose?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        ITimer? toDispose;
        lock (gate)
        {
            disposed = true;
            toDispose = timer;
            timer = null;
        }

        if (toDispose is not null)
        {
            await toDispose.DisposeAsync().ConfigureAwait(false);
        }

        // Last chance for records still waiting; failures are already reported (and logged) as degraded.
        try
        {
            await TryReconcileAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Shutting down: nothing more can be done here.
        }
    }

    /// <summary>Keeps the records a sink hands back with its failure (acknowledged earlier, never written).</summary>
    private void TakeBack(Exception failure)
    {
        if (failure is EvidenceWriteException { UnwrittenRecords.Count: > 0 } handedBack)
        {
            foreach (var record in handedBack.UnwrittenRecords)
            {
                Enqueue(record, EvidenceDurability.Acknowledged, failure);
            }
        }
    }

    private EvidenceWriteStatus Enqueue(EvidenceRecord record, EvidenceDurability durability, Exception? failure)
    {
        var now = timeProvider.GetUtcNow();
        EvidenceWriteStatus status;
        var first = false;
        lock (gate)
        {
            var key = (record.TenantId, record.RequestId);
            if (!gaps.TryGetValue(key, out var gap))
            {
                if (gaps.Count >= Math.Max(1, capacity))
                {
                    // Bounded bookkeeping too: beyond the limit, further requests share one runtime-level gap record.
                    key = OverflowKey;
                    if (!gaps.TryGetValue(key, out gap))
                    {
                        gap = new Gap(OverflowRecord(record, now), now);
                        gaps[key] = gap;
                    }

                    gap.Requests++;
                }
                else
                {
                    gap = new Gap(record, now);
                    gaps[key] = gap;
                }
            }

            gap.Note(record.Sequence);
            if (backlog.Count >= capacity)
            {
                gap.Dropped++;
                gap.AddDropped(record.Sequence);
                Interlocked.Increment(ref droppedTotal);
                status = EvidenceWriteStatus.Dropped;
            }
            else
            {
                first = backlog.Count == 0;
                backlog.Enqueue((record, durability));
                pendingIds.Add(record.RecordId);
                gap.Buffered++;
                status = EvidenceWriteStatus.Buffered;
            }

            UpdateCounts();

            StartTimer();
        }

        if (first && logger is not null)
        {
            Log.EvidenceDegraded(logger, record.RequestId, failure?.GetType().Name ?? "EvidenceWriteException");
        }

        return status;
    }

    /// <summary>The runtime-level gap record's first record: no request, no tenant data, only the flags in force.</summary>
    private static EvidenceRecord OverflowRecord(EvidenceRecord trigger, DateTimeOffset now) => new()
    {
        RecordId = Ids.NewRecordId(now),
        RequestId = OverflowKey.Request,
        TenantId = OverflowKey.Tenant,
        Sequence = 0,
        Stage = LifecycleStage.EvidencePersistence,
        Kind = EvidenceKinds.Gap,
        Outcome = StageOutcome.Failed,
        Timestamp = now,
        Flags = trigger.Flags,
    };

    private void UpdateCounts()
    {
        // Called under the gate. The write path reads these without the lock: zero means "no outage known".
        Volatile.Write(ref backlogCount, backlog.Count);
        Volatile.Write(ref outstanding, backlog.Count + gaps.Count);
    }

    private async Task BackgroundReconcileAsync()
    {
        try
        {
            await TryReconcileAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The next tick tries again; the backlog is intact.
        }
    }

    private void StartTimer()
    {
        // Called under the gate.
        if (reconcileInterval is not { } interval || disposed)
        {
            return;
        }

        if (timer is null)
        {
            timer = timeProvider.CreateTimer(_ => LastBackgroundDrain = BackgroundReconcileAsync(), null, interval, interval);
        }
        else
        {
            timer.Change(interval, interval);
        }
    }

    /// <summary>Writes the backlog in order, then the gap records it owes; false when the store still fails. Under the drain lock.</summary>
    private async ValueTask<bool> DrainCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            (EvidenceRecord Record, EvidenceDurability Durability) next;
            lock (gate)
            {
                if (backlog.Count == 0)
                {
                    break;
                }

                next = backlog.Peek();
            }

            try
            {
                // Each record keeps the durability it was written with: a durable record is durable when it reaches the store.
                await InnerSink.WriteAsync(next.Record, next.Durability, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                TakeBack(ex);
                return false;
            }

            lock (gate)
            {
                backlog.Dequeue();
                pendingIds.Remove(next.Record.RecordId);
                UpdateCounts();
                if (gaps.TryGetValue((next.Record.TenantId, next.Record.RequestId), out var gap) || gaps.TryGetValue(OverflowKey, out gap))
                {
                    gap.Reconciled++;
                }
            }
        }

        // The backlog is empty: every affected request gets its gap record (written to the store, so it is reconciled too).
        List<((string Tenant, string Request) Key, Gap Gap)> due;
        lock (gate)
        {
            due = [.. gaps.Select(g => (g.Key, g.Value))];
        }

        var now = timeProvider.GetUtcNow();
        foreach (var (key, gap) in due)
        {
            try
            {
                await InnerSink.WriteAsync(gap.ToRecord(now), EvidenceDurability.Acknowledged, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                TakeBack(ex);
                return false;
            }

            lock (gate)
            {
                gaps.Remove(key);
                UpdateCounts();
            }
        }

        lock (gate)
        {
            if (backlog.Count == 0 && gaps.Count == 0)
            {
                timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        return true;
    }

    /// <summary>What an outage did to one request's evidence.</summary>
    private sealed class Gap(EvidenceRecord first, DateTimeOffset startedAt)
    {
        private readonly List<int> dropped = [];

        public int Buffered { get; set; }

        public int Reconciled { get; set; }

        public int Dropped { get; set; }

        /// <summary>Gets or sets how many requests share this gap (the runtime-level overflow gap only).</summary>
        public int Requests { get; set; }

        public int FirstSequence { get; private set; } = int.MaxValue;

        public int LastSequence { get; private set; } = int.MinValue;

        public void Note(int sequence)
        {
            FirstSequence = Math.Min(FirstSequence, sequence);
            LastSequence = Math.Max(LastSequence, sequence);
        }

        public void AddDropped(int sequence)
        {
            if (dropped.Count < MaxListedSequences)
            {
                dropped.Add(sequence);
            }
        }

        public EvidenceRecord ToRecord(DateTimeOffset now)
        {
            var lost = Dropped > 0;
            var flags = first.Flags.Contains(EvidenceFlags.Degraded, StringComparer.Ordinal) ? first.Flags : [.. first.Flags, EvidenceFlags.Degraded];
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["buffered"] = Buffered.ToString(CultureInfo.InvariantCulture),
                ["reconciled"] = Reconciled.ToString(CultureInfo.InvariantCulture),
                ["dropped"] = Dropped.ToString(CultureInfo.InvariantCulture),
                ["sequences"] = string.Create(CultureInfo.InvariantCulture, $"{FirstSequence}-{LastSequence}"),
                ["outage_started_at"] = startedAt.ToString("O", CultureInfo.InvariantCulture),
                ["reconciled_at"] = now.ToString("O", CultureInfo.InvariantCulture),
            };
            if (Requests > 0)
            {
                attributes["requests"] = Requests.ToString(CultureInfo.InvariantCulture);
            }

            if (lost)
            {
                attributes["dropped_sequences"] = string.Join(',', dropped.Select(s => s.ToString(CultureInfo.InvariantCulture)));
            }

            return new EvidenceRecord
            {
                RecordId = Ids.NewRecordId(now),
                RequestId = first.RequestId,
                TenantId = first.TenantId,
                Sequence = 0,
                Stage = LifecycleStage.EvidencePersistence,
                Kind = EvidenceKinds.Gap,
                Outcome = lost ? StageOutcome.Failed : StageOutcome.Completed,
                Decision = lost ? "records_lost" : "reconciled",
                ReasonCodes = lost ? ["evidence.write_failed", "evidence.backlog_full"] : ["evidence.write_failed", "evidence.reconciled"],
                Timestamp = now,
                Duration = now - startedAt,
                ActorId = first.ActorId,
                CorrelationId = first.CorrelationId,
                TraceId = first.TraceId,
                Versions = first.Versions,
                Attributes = attributes,
                Classification = first.Classification,
                Retention = first.Retention,
                Flags = flags,
            };
        }
    }
}
