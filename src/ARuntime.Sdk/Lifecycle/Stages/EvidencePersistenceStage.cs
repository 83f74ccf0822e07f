using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 14, evidence persistence: correlate the request's records in a manifest (their count and a digest chained over
/// their ids, so a missing or extra record is detectable) and make everything durable. Records buffered after an earlier
/// write failure are retried here; if the store is still failing the request is reported degraded and a gap record says so.
/// </summary>
internal sealed class EvidencePersistenceStage : IRequestStage
{
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public EvidencePersistenceStage(TimeProvider timeProvider, RuntimeLogging logging)
    {
        this.timeProvider = timeProvider;
        logger = logging.CreateLogger<EvidencePersistenceStage>();
    }

    public LifecycleStage Stage => LifecycleStage.EvidencePersistence;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var records = context.Evidence.Records;
        var chain = new byte[32];
        foreach (var record in records)
        {
            chain = SHA256.HashData([.. chain, .. Encoding.UTF8.GetBytes(record.RecordId)]);
        }

        var manifest = context.NewRecord(Stage, EvidenceKinds.Manifest, StageOutcome.Completed, timeProvider.GetUtcNow(), TimeSpan.Zero, null, "records=" + records.Count, [],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["records"] = records.Count.ToString(CultureInfo.InvariantCulture),
                ["chain.sha256"] = Convert.ToHexStringLower(chain),
                ["status"] = context.FinalStatus.ToString(),
            });
        await context.Evidence.WriteAsync(manifest, EvidenceDurability.Acknowledged, cancellationToken).ConfigureAwait(false);

        var buffered = context.Evidence.BufferedCount;
        try
        {
            var reconciled = await context.Evidence.ReconcileAndFlushAsync(cancellationToken).ConfigureAwait(false);
            if (reconciled > 0 || context.Evidence.DroppedCount > 0)
            {
                await WriteGapAsync(context, reconciled, cancellationToken).ConfigureAwait(false);
            }

            return new StageResult(context.Evidence.Degraded ? StageOutcome.Degraded : StageOutcome.Completed, "durable")
                .With("records", records.Count + 1)
                .With("reconciled", reconciled);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.EvidenceDegraded(logger, context.RequestId, ex.GetType().Name);
            const string note = "Evidence for this request could not be made durable; it is held in memory and marked degraded.";
            if (!context.Qualifications.Contains(note))
            {
                context.Qualifications.Add(note);
            }

            return new StageResult(StageOutcome.Degraded, "not_durable")
                .WithReason("evidence.persistence_failed")
                .With("buffered", Math.Max(buffered, context.Evidence.BufferedCount));
        }
    }

    private async ValueTask WriteGapAsync(RequestContext context, int reconciled, CancellationToken cancellationToken)
    {
        var gap = context.NewRecord(Stage, EvidenceKinds.Gap, context.Evidence.DroppedCount > 0 ? StageOutcome.Failed : StageOutcome.Completed, timeProvider.GetUtcNow(), TimeSpan.Zero, null,
            context.Evidence.DroppedCount > 0 ? "records_lost" : "reconciled",
            ["evidence.write_failed"],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["reconciled"] = reconciled.ToString(CultureInfo.InvariantCulture),
                ["dropped"] = context.Evidence.DroppedCount.ToString(CultureInfo.InvariantCulture),
            });
        await context.Evidence.WriteAsync(gap, EvidenceDurability.Durable, cancellationToken).ConfigureAwait(false);
    }
}
