namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// An evidence record made ready off the writer thread: its canonical leaf bytes around the index (which only the writer
/// assigns), its query columns and its sealed payloads.
/// </summary>
internal sealed class PreparedEvidence
{
    public required string TenantId { get; init; }

    public required string RecordId { get; init; }

    public required string RequestId { get; init; }

    public string? CorrelationId { get; init; }

    public required int Stage { get; init; }

    public required string Kind { get; init; }

    public required int Outcome { get; init; }

    public required long TimestampTicks { get; init; }

    public required int Retention { get; init; }

    public required byte[] LeafPrefix { get; init; }

    public required byte[] LeafSuffix { get; init; }

    public required IReadOnlyList<PreparedPayload> Payloads { get; init; }
}
