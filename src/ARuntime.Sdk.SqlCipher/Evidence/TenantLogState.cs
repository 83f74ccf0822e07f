namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>The writer's view of one tenant's log: its compact range and when it was last checkpointed.</summary>
internal sealed class TenantLogState(string tenantId, string origin, CompactRange range)
{
    public string TenantId { get; } = tenantId;

    public string Origin { get; } = origin;

    public CompactRange Range { get; set; } = range;

    public long CheckpointSize { get; set; }

    public long CheckpointTicks { get; set; }

    /// <summary>Gets or sets why the stored tree does not add up, when it does not; writes to the tenant then fail closed.</summary>
    public string? Inconsistency { get; set; }
}
