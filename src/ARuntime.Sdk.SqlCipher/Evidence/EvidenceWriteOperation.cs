using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Appends one prepared record. Durable writes complete after COMMIT; acknowledged ones that fail are counted as lost.</summary>
internal sealed class EvidenceWriteOperation(PreparedEvidence evidence, bool durable, StoreHealthTracker health, ILogger logger) : WriteOperation
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

        health.RecordLostAcknowledged(1);
        Log.AcknowledgedEvidenceLost(logger, evidence.RecordId, evidence.TenantId, failure);
    }
}
