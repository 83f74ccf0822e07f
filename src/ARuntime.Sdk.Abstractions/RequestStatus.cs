using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk;

/// <summary>The status of a request, as returned by <see cref="IAgentRuntime.GetStatusAsync"/>.</summary>
public sealed record RequestStatus
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets where the request stands.</summary>
    public required RequestState State { get; init; }

    /// <summary>Gets the final status, once <see cref="State"/> is <see cref="RequestState.Finished"/> or <see cref="RequestState.Interrupted"/>.</summary>
    public AgentRunStatus? FinalStatus { get; init; }

    /// <summary>Gets the last stage the request entered.</summary>
    public LifecycleStage? Stage { get; init; }

    /// <summary>Gets when the request was admitted.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the status last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets the pending approval's id, when the request is paused.</summary>
    public string? ApprovalId { get; init; }
}
