using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.Recovery;

/// <summary>
/// Process crash mid-request: on start, every request the journal still shows as running was being run by a process that
/// stopped. Each is recorded as interrupted — never silently lost — with a durable <c>request.interrupted</c> record that
/// says where it stopped, how many records it left, and which side-effecting operations were started without a recorded
/// outcome (in doubt: reconcile them through the tool's status query, never by blindly repeating them). The request's
/// journal entry becomes <see cref="RequestState.Interrupted"/>, and an idempotency key it held is completed with the
/// interrupted result, so a retry with the same key gets an answer instead of "in progress" forever.
/// </summary>
internal sealed class InterruptedRequestRecovery
{
    private readonly IRequestJournal journal;
    private readonly EvidenceBuffer evidence;
    private readonly IIdempotencyStore idempotency;
    private readonly IServiceProvider services;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public InterruptedRequestRecovery(IRequestJournal journal, EvidenceBuffer evidence, IIdempotencyStore idempotency, IServiceProvider services, TimeProvider timeProvider, RuntimeLogging logging)
    {
        this.journal = journal;
        this.evidence = evidence;
        this.idempotency = idempotency;
        this.services = services;
        this.timeProvider = timeProvider;
        logger = logging.CreateLogger<InterruptedRequestRecovery>();
    }

    /// <summary>Records every request left running as interrupted; returns how many were recovered.</summary>
    /// <param name="flags">The flags every record of this runtime carries.</param>
    /// <param name="cancellationToken">Cancels recovery (entries not yet handled are handled by the next start).</param>
    public async Task<int> RecoverAsync(IReadOnlyList<string> flags, CancellationToken cancellationToken)
    {
        List<RequestJournalEntry> running = [];
        await foreach (var entry in journal.ListRunningAsync(cancellationToken).ConfigureAwait(false))
        {
            running.Add(entry);
        }

        var reader = Reader();
        var recovered = 0;
        foreach (var entry in running)
        {
            try
            {
                await RecoverAsync(entry, reader, flags, cancellationToken).ConfigureAwait(false);
                recovered++;
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
            {
                // The entry stays "running" and is recovered by the next start; other entries are still handled.
                Log.InterruptedRecoveryFailed(logger, entry.RequestId, ex.GetType().Name);
            }
        }

        return recovered;
    }

    private async ValueTask RecoverAsync(RequestJournalEntry entry, IEvidenceReader? reader, IReadOnlyList<string> flags, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();

        // What the request left: its records, and side effects started without a recorded outcome.
        var records = 0;
        var lastSequence = 0;
        var started = new Dictionary<string, string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        EvidenceRecord? first = null;
        var lastStage = entry.Stage;
        if (reader is not null)
        {
            await foreach (var record in reader.QueryAsync(new EvidenceQuery { TenantId = entry.TenantId, RequestId = entry.RequestId }, cancellationToken).ConfigureAwait(false))
            {
                records++;
                first ??= record;
                if (record.Sequence >= lastSequence)
                {
                    // The journal is written at admission and at the end; the evidence knows how far the request got.
                    lastSequence = record.Sequence;
                    lastStage = record.Stage;
                }

                if (record.Attributes.TryGetValue("call.id", out var callId))
                {
                    if (record.Kind == EvidenceKinds.ToolStarted)
                    {
                        started[callId] = record.Attributes.TryGetValue("operation.key", out var operationKey) ? operationKey : callId;
                    }
                    else if (record.Kind is EvidenceKinds.ToolCall or EvidenceKinds.Compensation)
                    {
                        finished.Add(callId);
                    }
                }
            }
        }

        Log.RequestInterrupted(logger, entry.RequestId, lastStage);
        entry = entry with { Stage = lastStage };
        var inDoubt = started.Where(s => !finished.Contains(s.Key)).Select(s => s.Value).ToList();
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["last.stage"] = entry.Stage?.ToString() ?? string.Empty,
            ["started_at"] = entry.StartedAt.ToString("O", CultureInfo.InvariantCulture),
            ["last_seen_at"] = entry.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["records"] = reader is null ? "unknown" : records.ToString(CultureInfo.InvariantCulture),
            ["last_sequence"] = lastSequence.ToString(CultureInfo.InvariantCulture),
            ["in_doubt_operations"] = string.Join(',', inDoubt),
        };
        IReadOnlyList<string> reasons = inDoubt.Count > 0 ? ["process.stopped", "operation.in_doubt"] : ["process.stopped"];
        await evidence.WriteAsync(
            new EvidenceRecord
            {
                RecordId = Ids.NewRecordId(now),
                RequestId = entry.RequestId,
                TenantId = entry.TenantId,
                Sequence = 0,
                Stage = LifecycleStage.IncidentRecovery,
                Kind = EvidenceKinds.Interrupted,
                Outcome = StageOutcome.Failed,
                Decision = "interrupted",
                ReasonCodes = reasons,
                Timestamp = now,
                Duration = now - entry.StartedAt,
                ActorId = entry.ActorId,
                CorrelationId = first?.CorrelationId,
                TraceId = first?.TraceId,
                Versions = first?.Versions ?? VersionSet.Empty,
                Attributes = attributes,
                Retention = first?.Retention ?? RetentionClass.Standard,
                Flags = flags,
            },
            EvidenceDurability.Durable,
            cancellationToken).ConfigureAwait(false);

        if (entry.IdempotencyKey is { } key)
        {
            await idempotency.CompleteAsync(entry.TenantId, key, InterruptedResult(entry, inDoubt, now), cancellationToken).ConfigureAwait(false);
        }

        await journal.UpsertAsync(entry with { State = RequestState.Interrupted, FinalStatus = AgentRunStatus.Interrupted, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The result a retry under the request's idempotency key receives.</summary>
    private static AgentResult InterruptedResult(RequestJournalEntry entry, List<string> inDoubt, DateTimeOffset now) => new()
    {
        RequestId = entry.RequestId,
        TenantId = entry.TenantId,
        Status = AgentRunStatus.Interrupted,
        Error = new AgentError
        {
            Code = AgentErrorCodes.Interrupted,
            Message = $"The process stopped while the request ran (last stage: {entry.Stage?.ToString() ?? "unknown"}); it was recorded as interrupted on restart.",
            Stage = entry.Stage,
        },
        Uncertainty = inDoubt.Count > 0
            ? [$"Side-effecting operation(s) started without a recorded outcome: {string.Join(", ", inDoubt)}. Check them before retrying under a new key."]
            : [],
        CompletedAt = now,
    };

    private IEvidenceReader? Reader()
    {
        try
        {
            return services.GetService<IEvidenceReader>();
        }
        catch (InvalidOperationException)
        {
            // The sink cannot be read back: recovery still records the interruption, without counting records.
            return null;
        }
    }
}
