namespace ARuntime.Sdk.Approvals;

/// <summary>Approval settings.</summary>
public sealed class ApprovalOptions
{
    /// <summary>Gets or sets how long an approval waits when the policy sets no expiry.</summary>
    public TimeSpan DefaultExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Gets or sets how often the runtime ends requests whose approval expired without a decision (status
    /// <see cref="AgentRunStatus.Expired"/>, earlier side effects compensated, idempotency key completed). <see langword="null"/>
    /// turns the automatic sweep off: such requests then end when someone resumes them, or when the host calls
    /// <see cref="ApprovalExpirySweeper.SweepAsync"/>. The first sweep runs one interval after the runtime is created (when a
    /// generic host starts, or when it is first resolved from the service provider).
    /// </summary>
    public TimeSpan? ExpirySweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
