using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// A volatile operation ledger (the default): deduplicates tool operations within the process. Register a durable ledger
/// (for example <c>UseSqlCipherStore</c>) so an irreversible operation is never repeated across a crash and restart.
/// </summary>
public sealed class InMemoryOperationLedger : IOperationLedger
{
    private readonly Dictionary<(string Tenant, string Key), (string RequestId, ToolResult? Result)> operations = [];
    private readonly Lock gate = new();

    /// <inheritdoc />
    public ValueTask<OperationClaim> TryStartAsync(string tenantId, string operationKey, string toolName, string requestId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (operations.TryGetValue((tenantId, operationKey), out var existing))
            {
                return ValueTask.FromResult(existing.Result is { } result
                    ? new OperationClaim { Status = OperationClaimStatus.Completed, Result = result, StartedByRequestId = existing.RequestId }
                    : new OperationClaim { Status = OperationClaimStatus.InDoubt, StartedByRequestId = existing.RequestId });
            }

            operations[(tenantId, operationKey)] = (requestId, null);
            return ValueTask.FromResult(new OperationClaim { Status = OperationClaimStatus.Started, StartedByRequestId = requestId });
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string tenantId, string operationKey, ToolResult result, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var requestId = operations.TryGetValue((tenantId, operationKey), out var existing) ? existing.RequestId : string.Empty;
            operations[(tenantId, operationKey)] = (requestId, result);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask AbandonAsync(string tenantId, string operationKey, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            operations.Remove((tenantId, operationKey));
        }

        return ValueTask.CompletedTask;
    }
}
