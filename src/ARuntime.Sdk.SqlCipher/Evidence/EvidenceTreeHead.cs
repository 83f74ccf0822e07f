namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>A tenant log's current size and RFC 6962 root hash.</summary>
public sealed record EvidenceTreeHead
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the checkpoint origin of the tenant's log.</summary>
    public required string Origin { get; init; }

    /// <summary>Gets the number of records.</summary>
    public required long TreeSize { get; init; }

    /// <summary>Gets the root hash.</summary>
    public required ReadOnlyMemory<byte> RootHash { get; init; }
}
