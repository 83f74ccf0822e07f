using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Recovery;

/// <summary>A request's entry in the request journal.</summary>
public sealed record RequestJournalEntry
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the actor.</summary>
    public required string ActorId { get; init; }

    /// <summary>Gets where the request stands.</summary>
    public required RequestState State { get; init; }

    /// <summary>Gets the final status, once finished.</summary>
    public AgentRunStatus? FinalStatus { get; init; }

    /// <summary>Gets the last stage recorded.</summary>
    public LifecycleStage? Stage { get; init; }

    /// <summary>
    /// Gets the idempotency key the request holds, if any: when a process stops while the request runs, recovery records the
    /// interrupted result under it so that a retry with the same key is answered, not left "in progress" forever.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets the pending approval id, when paused.</summary>
    public string? ApprovalId { get; init; }

    /// <summary>Gets when the request was admitted.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the entry last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}
