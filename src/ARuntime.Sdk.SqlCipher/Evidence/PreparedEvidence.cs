namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// An evidence record made ready off the writer thread: its canonical leaf bytes without the index (which only the writer
/// assigns) and where the index goes, its query columns already UTF-8 encoded, and its sealed payloads packed for the row.
/// </summary>
internal sealed class PreparedEvidence
{
    public required string TenantId { get; init; }

    public required string RecordId { get; init; }

    public required byte[] RecordIdUtf8 { get; init; }

    public required byte[] RequestIdUtf8 { get; init; }

    public byte[]? CorrelationIdUtf8 { get; init; }

    public required int Stage { get; init; }

    public required byte[] KindUtf8 { get; init; }

    public required int Outcome { get; init; }

    public required long TimestampTicks { get; init; }

    public required int Retention { get; init; }

    public byte[]? SubjectUtf8 { get; init; }

    /// <summary>Gets the leaf bytes without the decimal index.</summary>
    public required byte[] LeafTemplate { get; init; }

    /// <summary>Gets where in <see cref="LeafTemplate"/> the index digits go.</summary>
    public required int IndexOffset { get; init; }

    /// <summary>Gets the leaf's stored (compact, <see cref="CompactJson"/>) form without the index digits, or null to store the canonical leaf.</summary>
    public byte[]? StoredLeafTemplate { get; init; }

    /// <summary>Gets where in <see cref="StoredLeafTemplate"/> the index digits go.</summary>
    public int StoredIndexOffset { get; init; }

    /// <summary>Gets the packed sealed payloads (<see cref="SealedPayloads"/>), or null when the record has none.</summary>
    public byte[]? Payloads { get; init; }
}
