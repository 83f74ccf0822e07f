namespace ARuntime.Sdk.Evidence;

/// <summary>The values of <see cref="Contracts.EvidenceRecord.Flags"/> the runtime writes; see docs/evidence-records.md.</summary>
public static class EvidenceFlags
{
    /// <summary>The record was written while evidence ran degraded (an earlier write failed and was buffered).</summary>
    public const string Degraded = "degraded";

    /// <summary>The host accepted volatile in-memory evidence storage.</summary>
    public const string VolatileStorage = "volatile-storage";

    /// <summary>The store keeps records unencrypted (development opt-out).</summary>
    public const string PlaintextStorage = "plaintext-storage";

    /// <summary>The host opted in to capturing raw payload content.</summary>
    public const string RawContent = "raw-content";

    /// <summary>The record was written by a resumed request.</summary>
    public const string Resumed = "resumed";
}
