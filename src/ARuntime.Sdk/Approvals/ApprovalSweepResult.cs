namespace ARuntime.Sdk.Approvals;

/// <summary>What one run of <see cref="ApprovalExpirySweeper.SweepAsync"/> did.</summary>
public sealed record ApprovalSweepResult
{
    /// <summary>
    /// Gets the results of the requests the sweep ended, one per expired approval (normally
    /// <see cref="AgentRunStatus.Expired"/> with <see cref="AgentErrorCodes.ApprovalExpired"/>).
    /// </summary>
    public IReadOnlyList<AgentResult> Ended { get; init => field = value ?? []; } = [];

    /// <summary>
    /// Gets how many expired approvals could not be ended; the host log says why. One the store could not claim stays
    /// pending and the next sweep tries again. One whose checkpoint this runtime cannot read is put back for a runtime that
    /// can (only if even that fails is it left claimed, which the log says) and is skipped, and counted here, by this
    /// runtime's later sweeps.
    /// </summary>
    public int Failed { get; init; }
}
