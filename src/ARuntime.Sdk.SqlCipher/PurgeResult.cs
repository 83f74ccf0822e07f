namespace ARuntime.Sdk.SqlCipher;

/// <summary>What one purge of expired data removed.</summary>
public sealed record PurgeResult
{
    /// <summary>Gets the number of expired memory items deleted (with their history and index entries).</summary>
    public required int MemoryItems { get; init; }

    /// <summary>Gets the number of evidence payloads erased because their record's retention period ended (leaves and proofs stay).</summary>
    public required int EvidencePayloads { get; init; }

    /// <summary>Gets the number of expired idempotency keys removed.</summary>
    public required int IdempotencyKeys { get; init; }

    /// <summary>Gets the number of finished request journal entries removed.</summary>
    public required int JournalEntries { get; init; }

    /// <summary>Gets the number of paused requests removed: those resumed (or ended by the expiry sweep) longer ago than the transient retention period.</summary>
    public required int PausedRequests { get; init; }
}
