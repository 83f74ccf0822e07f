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
    /// Gets how many expired approvals could not be ended (a store that refused the claim, a checkpoint this runtime cannot
    /// read). They stay pending and the next sweep tries again; the host log says why.
    /// </summary>
    public int Failed { get; init; }
}
