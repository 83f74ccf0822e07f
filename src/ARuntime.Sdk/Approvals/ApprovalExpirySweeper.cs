namespace ARuntime.Sdk.Approvals;

/// <summary>
/// Ends requests whose approval expired without a decision. The runtime runs it every
/// <see cref="ApprovalOptions.ExpirySweepInterval"/>; hosts that turn the schedule off (or want an expiry acted on now, for
/// example from their own job scheduler) call <see cref="SweepAsync"/>. Resolve it from the service provider.
/// </summary>
/// <remarks>
/// Each expired approval is claimed like a resume (a concurrent <see cref="IAgentRuntime.ResumeAsync"/> then finds it gone)
/// and its request ends <see cref="AgentRunStatus.Expired"/>: the call it waited for never runs, the incident stage
/// compensates the request's earlier side effects, its journal entry and idempotency key get the result, and the approval
/// stage's <c>approval.decided</c> record says <c>ended.by = expiry_sweep</c> instead of naming an approver. Works across
/// processes with a durable approval store: a request paused by one process is ended by whichever runtime sweeps first.
/// A host maintenance API: it acts on, and returns the results of, every tenant — do not expose it to tenant-facing code.
/// The schedule starts with a generic host; without one, when the runtime is first resolved (resolve
/// <see cref="IAgentRuntime"/> at startup to have it run from then on).
/// </remarks>
public sealed class ApprovalExpirySweeper
{
    private readonly AgentRuntime runtime;

    internal ApprovalExpirySweeper(AgentRuntime runtime)
    {
        this.runtime = runtime;
    }

    /// <summary>Ends every request whose approval has expired by now, one after the other.</summary>
    /// <param name="cancellationToken">
    /// Stops the sweep between requests; a request already taken off the approval store is always brought to its end.
    /// </param>
    /// <returns>What the sweep ended, and how many expired approvals it could not end.</returns>
    /// <exception cref="OperationCanceledException">The sweep was cancelled.</exception>
    /// <remarks>
    /// An approval store that cannot list the expired approvals throws its own exception from here (nothing was changed;
    /// call again later). Failures to end one request are counted in <see cref="ApprovalSweepResult.Failed"/> instead.
    /// </remarks>
    public Task<ApprovalSweepResult> SweepAsync(CancellationToken cancellationToken = default) => runtime.SweepExpiredApprovalsAsync(cancellationToken);
}
