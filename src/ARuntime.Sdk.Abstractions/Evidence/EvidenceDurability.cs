namespace ARuntime.Sdk.Evidence;

/// <summary>When a write to an <see cref="IEvidenceSink"/> returns.</summary>
public enum EvidenceDurability
{
    /// <summary>When the sink accepted the record (it is durable soon, in a group commit).</summary>
    Acknowledged = 0,

    /// <summary>Only once the record is durable; used before side effects and for evidence-required work.</summary>
    Durable = 1,
}
