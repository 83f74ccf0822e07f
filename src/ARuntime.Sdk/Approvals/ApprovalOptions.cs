namespace ARuntime.Sdk.Approvals;

/// <summary>Approval settings.</summary>
public sealed class ApprovalOptions
{
    /// <summary>Gets or sets how long an approval waits when the policy sets no expiry.</summary>
    public TimeSpan DefaultExpiry { get; set; } = TimeSpan.FromHours(24);
}
