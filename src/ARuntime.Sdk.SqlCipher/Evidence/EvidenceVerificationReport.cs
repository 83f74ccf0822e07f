namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>The result of verifying a tenant's evidence log: valid, or the first problem found and where.</summary>
public sealed record EvidenceVerificationReport
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets whether the log verifies.</summary>
    public bool IsValid => Kind == EvidenceTamperKind.None;

    /// <summary>Gets what was found wrong (<see cref="EvidenceTamperKind.None"/> when nothing).</summary>
    public required EvidenceTamperKind Kind { get; init; }

    /// <summary>Gets the leaf index (position) of the first problem, when it concerns a record.</summary>
    public long? LeafIndex { get; init; }

    /// <summary>Gets the id of the record at that position as committed, when known.</summary>
    public string? RecordId { get; init; }

    /// <summary>Gets a description of the problem.</summary>
    public string? Message { get; init; }

    /// <summary>Gets the tree size recorded in the tree head.</summary>
    public required long TreeSize { get; init; }

    /// <summary>Gets the number of records checked.</summary>
    public required long RecordsChecked { get; init; }

    /// <summary>Gets the number of signed checkpoints checked.</summary>
    public required int CheckpointsChecked { get; init; }

    /// <summary>Gets the number of payloads whose commitments were checked against their stored content.</summary>
    public required long PayloadsChecked { get; init; }

    /// <summary>Gets the number of payloads that were erased (only their commitments remain; not a failure).</summary>
    public required long PayloadsErased { get; init; }
}
