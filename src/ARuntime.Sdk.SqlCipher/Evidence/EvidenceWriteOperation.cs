using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Appends one prepared record. Durable writes complete after COMMIT. An acknowledged write whose batch could not be
/// committed is kept for the next flush to hand back (<see cref="UnwrittenEvidence"/>); one that failed on its own (a
/// duplicate id) or beyond that bound is counted as lost.
/// </summary>
internal sealed class EvidenceWriteOperation(EvidenceRecord record, PreparedEvidence evidence, bool durable, StoreServices services) : WriteOperation
{
    private readonly TaskCompletionSource? completion = durable ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

    public bool Durable => durable;

    public Task Task => completion?.Task ?? Task.CompletedTask;

    public override void Execute(WriteContext context) => context.Log.Append(evidence);

    public override void Complete() => completion?.TrySetResult();

    public override void Fail(Exception error)
    {
        var failure = error as EvidenceWriteException ?? new EvidenceWriteException($"The evidence record '{evidence.RecordId}' could not be written.", error);
        if (completion is not null)
        {
            completion.TrySetException(failure);
            return;
        }

        services.Health.RecordLostAcknowledged(1);
        Log.AcknowledgedEvidenceLost(services.Logger, evidence.RecordId, evidence.TenantId, failure);
    }

    public override void NotCommitted(Exception error)
    {
        if (completion is null && services.Unwritten.TryAdd(record))
        {
            return;
        }

        Fail(error);
    }
}
