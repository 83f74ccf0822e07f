namespace ARuntime.Sdk.Approvals;

/// <summary>
/// A request paused for approval: the ticket and the runtime's checkpoint of the request's state. The checkpoint is
/// opaque to stores; they persist it as given.
/// </summary>
public sealed record PausedRequest
{
    /// <summary>Gets the approval ticket.</summary>
    public required ApprovalTicket Ticket { get; init; }

    /// <summary>Gets the checkpoint format version the runtime wrote.</summary>
    public required string CheckpointFormat { get; init; }

    /// <summary>Gets the checkpoint (UTF-8 JSON written by the runtime).</summary>
    public required ReadOnlyMemory<byte> Checkpoint { get; init; }
}
