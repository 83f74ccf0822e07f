namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>The <see cref="Contracts.EvidenceRecord.Flags"/> this store adds.</summary>
public static class SqlCipherEvidenceFlags
{
    /// <summary>The record was stored without encryption (the development plaintext mode); part of the committed leaf.</summary>
    public const string PlaintextStorage = "plaintext-storage";

    /// <summary>The record carried raw payload content that the store discarded (raw content storage is off); part of the committed leaf.</summary>
    public const string RawContentDiscarded = "raw-content-discarded";

    /// <summary>On records read back: one or more payloads were erased (or their tenant's key destroyed); only their commitments remain. Not part of the leaf.</summary>
    public const string PayloadErased = "payload-erased";
}
