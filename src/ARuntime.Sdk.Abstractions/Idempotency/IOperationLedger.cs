using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// The record of tool operations by operation key. The runtime records an operation's start durably before a side-effecting
/// tool runs and its result after, so that an irreversible operation never runs twice for one key — also across a crash.
/// </summary>
public interface IOperationLedger
{
    /// <summary>Claims an operation key atomically, recording its start when it is new.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="operationKey">The operation key.</param>
    /// <param name="toolName">The tool.</param>
    /// <param name="requestId">The request starting the operation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The claim.</returns>
    ValueTask<OperationClaim> TryStartAsync(string tenantId, string operationKey, string toolName, string requestId, CancellationToken cancellationToken = default);

    /// <summary>Records an operation's result.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="operationKey">The operation key.</param>
    /// <param name="result">The result.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the result is recorded.</returns>
    ValueTask CompleteAsync(string tenantId, string operationKey, ToolResult result, CancellationToken cancellationToken = default);

    /// <summary>Forgets a started operation that provably did not take effect (so it may run again).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="operationKey">The operation key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the start is forgotten.</returns>
    ValueTask AbandonAsync(string tenantId, string operationKey, CancellationToken cancellationToken = default);
}
