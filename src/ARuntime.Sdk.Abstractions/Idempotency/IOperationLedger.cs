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

    /// <summary>
    /// Forgets a started operation that provably did not take effect, only while its recorded start is still the one made by
    /// <paramref name="startedByRequestId"/> and it has no result (compare-and-set). When two reconcilers race for the same
    /// in-doubt operation, only the first forgets it; the second finds the winner's new start and does not run it again.
    /// </summary>
    /// <remarks>
    /// The default implementation forgets unconditionally (as <see cref="AbandonAsync(string, string, CancellationToken)"/>)
    /// and returns <see langword="true"/>; a ledger that concurrent reconcilers share must override it.
    /// </remarks>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="operationKey">The operation key.</param>
    /// <param name="startedByRequestId">The request whose start is being forgotten (<see cref="OperationClaim.StartedByRequestId"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when this call forgot the start.</returns>
    ValueTask<bool> AbandonAsync(string tenantId, string operationKey, string startedByRequestId, CancellationToken cancellationToken = default)
    {
        var abandoned = AbandonAsync(tenantId, operationKey, cancellationToken);
        return abandoned.IsCompletedSuccessfully ? ValueTask.FromResult(true) : AwaitAsync(abandoned);

        static async ValueTask<bool> AwaitAsync(ValueTask abandoned)
        {
            await abandoned.ConfigureAwait(false);
            return true;
        }
    }
}
