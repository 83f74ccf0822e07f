namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Proof that a tenant's log at <see cref="SecondSize"/> records extends its log at <see cref="FirstSize"/> records (nothing was changed, only appended).</summary>
public sealed record EvidenceConsistencyProof
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the earlier tree size.</summary>
    public required long FirstSize { get; init; }

    /// <summary>Gets the later tree size.</summary>
    public required long SecondSize { get; init; }

    /// <summary>Gets the earlier root.</summary>
    public required ReadOnlyMemory<byte> FirstRoot { get; init; }

    /// <summary>Gets the later root.</summary>
    public required ReadOnlyMemory<byte> SecondRoot { get; init; }

    /// <summary>Gets the proof nodes.</summary>
    public required IReadOnlyList<byte[]> Proof { get; init; }

    /// <summary>Checks the proof with <see cref="MerkleTree.VerifyConsistency"/>.</summary>
    /// <returns><see langword="true"/> when the later tree extends the earlier one.</returns>
    public bool Verify() => MerkleTree.VerifyConsistency(FirstSize, SecondSize, FirstRoot.Span, SecondRoot.Span, Proof);
}
