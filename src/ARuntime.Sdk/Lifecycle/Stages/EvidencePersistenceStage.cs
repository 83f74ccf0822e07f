using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 14, evidence persistence: record the request's budget use and how it ended, correlate its records in a manifest
/// (their count and a digest chained over their ids, so a missing or extra record is detectable) and make everything
/// durable. Records buffered after an earlier write failure are written first; once they reach the store the buffer adds a
/// gap record saying what was delayed or lost. If the store is still failing, the request is reported degraded and its
/// records stay in the bounded process-wide backlog, reconciled when the store recovers.
/// </summary>
internal sealed class EvidencePersistenceStage : IRequestStage
{
    private readonly BudgetGuard budgets;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public EvidencePersistenceStage(BudgetGuard budgets, TimeProvider timeProvider, RuntimeLogging logging)
    {
        this.budgets = budgets;
        this.timeProvider = timeProvider;
        logger = logging.CreateLogger<EvidencePersistenceStage>();
    }

    public LifecycleStage Stage => LifecycleStage.EvidencePersistence;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        // Budget use and the termination reason, for every request that ran.
        var usage = budgets.Usage(context);
        usage["status"] = context.FinalStatus.ToString();
        usage["termination"] = context.Failure is { } failure ? failure.Kind + ":" + (failure.ReasonCodes.Count > 0 ? failure.ReasonCodes[0] : failure.Error.Code) : context.FinalStatus.ToString();
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.BudgetUsage, StageOutcome.Completed, timeProvider.GetUtcNow(), TimeSpan.Zero, null, "status=" + context.FinalStatus, context.Failure?.ReasonCodes ?? [], usage),
            EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);

        var records = context.Evidence.Records;
        var chain = ChainDigest(records);

        var manifest = context.NewRecord(Stage, EvidenceKinds.Manifest, StageOutcome.Completed, timeProvider.GetUtcNow(), TimeSpan.Zero, null, "records=" + records.Count, [],
            new AttributeMap()
            {
                ["records"] = records.Count.ToString(CultureInfo.InvariantCulture),
                ["records.sha256"] = chain,
                ["status"] = context.FinalStatus.ToString(),
            });
        await context.Evidence.WriteAsync(manifest, EvidenceDurability.Acknowledged, cancellationToken).ConfigureAwait(false);

        try
        {
            var reconciled = await context.Evidence.ReconcileAndFlushAsync(cancellationToken).ConfigureAwait(false);
            var result = new StageResult(context.Evidence.Degraded ? StageOutcome.Degraded : StageOutcome.Completed, "durable")
                .With("records", records.Count + 1)
                .With("reconciled", reconciled)
                .With("dropped", context.Evidence.DroppedCount);
            if (context.Evidence.Degraded)
            {
                result.WithReason(context.Evidence.DroppedCount > 0 ? "evidence.records_lost" : "evidence.reconciled");
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.EvidenceDegraded(logger, context.RequestId, ex.GetType().Name);
            context.Evidence.MarkDegraded();
            const string note = "Evidence for this request could not be made durable yet; it is buffered and will be written when the evidence store recovers.";
            if (!context.Qualifications.Contains(note))
            {
                context.Qualifications.Add(note);
            }

            return new StageResult(StageOutcome.Degraded, "not_durable")
                .WithReason("evidence.persistence_failed")
                .With("buffered", context.Evidence.BufferedCount)
                .With("dropped", context.Evidence.DroppedCount);
        }
    }

    /// <summary>
    /// The manifest's digest of the request's records: SHA-256 over each record id in write order, each followed by a line
    /// feed (UTF-8); see docs/evidence-records.md. A missing, extra or reordered record changes it.
    /// </summary>
    internal static string ChainDigest(IReadOnlyList<EvidenceRecord> records)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256);
        try
        {
            foreach (var record in records)
            {
                var needed = Encoding.UTF8.GetMaxByteCount(record.RecordId.Length) + 1;
                if (buffer.Length < needed)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(needed);
                }

                var length = Encoding.UTF8.GetBytes(record.RecordId, buffer);
                buffer[length] = (byte)'\n';
                hash.AppendData(buffer, 0, length + 1);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }
}
