using ARuntime.Sdk.Approvals;

namespace ARuntime.Sdk.Events;

/// <summary>The request paused for a human approval.</summary>
public sealed record ApprovalRequiredEvent : AgentEvent
{
    /// <summary>Gets what is to be approved.</summary>
    public required ApprovalTicket Ticket { get; init; }
}
