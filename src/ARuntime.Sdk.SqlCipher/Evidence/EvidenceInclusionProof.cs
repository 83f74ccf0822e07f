namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Proof that a record is in a tenant's log: its canonical leaf bytes, index and the RFC 6962 audit path to the root of
/// the tree of <see cref="TreeSize"/> records. Check it with <see cref="MerkleTree.VerifyInclusion"/> against a
/// checkpoint's root, or with <see cref="Verify"/>.
/// </summary>
public sealed record EvidenceInclusionProof
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the record id.</summary>
    public required string RecordId { get; init; }

    /// <summary>Gets the record's leaf index.</summary>
    public required long LeafIndex { get; init; }

    /// <summary>Gets the tree size the proof is for.</summary>
    public required long TreeSize { get; init; }

    /// <summary>Gets the canonical leaf bytes (docs/evidence-format.md).</summary>
    public required ReadOnlyMemory<byte> Leaf { get; init; }

    /// <summary>Gets the leaf hash, SHA-256(0x00 || leaf).</summary>
    public required ReadOnlyMemory<byte> LeafHash { get; init; }

    /// <summary>Gets the root hash of the tree of <see cref="TreeSize"/> records.</summary>
    public required ReadOnlyMemory<byte> RootHash { get; init; }

    /// <summary>Gets the audit path.</summary>
    public required IReadOnlyList<byte[]> AuditPath { get; init; }

    /// <summary>Checks the proof: the leaf hashes to <see cref="LeafHash"/> and the path leads to <see cref="RootHash"/>.</summary>
    /// <returns><see langword="true"/> when the proof holds.</returns>
    public bool Verify() =>
        MerkleTree.HashLeaf(Leaf.Span).AsSpan().SequenceEqual(LeafHash.Span)
        && MerkleTree.VerifyInclusion(LeafIndex, TreeSize, LeafHash.Span, AuditPath, RootHash.Span);
}
