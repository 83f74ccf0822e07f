namespace ARuntime.Sdk.Admission;

/// <summary>Limits checked at admission.</summary>
public sealed class AdmissionOptions
{
    /// <summary>Gets or sets the maximum length, in characters, of the task prompt plus instructions plus history.</summary>
    public int MaxTaskCharacters { get; set; } = 32_000;

    /// <summary>Gets or sets the maximum number of history messages.</summary>
    public int MaxHistoryMessages { get; set; } = 200;

    /// <summary>Gets or sets the maximum number of requests running at once in this host; more are queued.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Gets or sets the maximum number of requests waiting for a slot; beyond it requests get <see cref="AgentRunStatus.Overloaded"/>.</summary>
    public int MaxQueuedRequests { get; set; } = 256;

    /// <summary>Gets or sets the maximum length of identifiers (tenant, actor, idempotency key, correlation id).</summary>
    public int MaxIdentifierLength { get; set; } = 256;
}
