namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The writer's health, for the runtime's degraded-mode wrapper: whether the last commit succeeded, the last error, and
/// how many acknowledged (not durable) records were lost since the store opened.
/// </summary>
public sealed record EvidenceStoreHealth
{
    /// <summary>Gets whether the last commit succeeded.</summary>
    public required bool IsHealthy { get; init; }

    /// <summary>Gets the last commit error's message, if a commit ever failed.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets when the last commit failed.</summary>
    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>Gets the number of records acknowledged on enqueue that could not be written (gap candidates).</summary>
    public long LostAcknowledgedRecords { get; init; }

    /// <summary>Gets the number of writes committed since the store opened.</summary>
    public long CommittedWrites { get; init; }

    /// <summary>Gets the number of writes waiting in the queue.</summary>
    public int PendingWrites { get; init; }
}
