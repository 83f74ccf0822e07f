using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Idempotency;

/// <summary>The outcome of claiming a tool operation key.</summary>
public sealed record OperationClaim
{
    /// <summary>Gets the outcome.</summary>
    public required OperationClaimStatus Status { get; init; }

    /// <summary>Gets the recorded result, for <see cref="OperationClaimStatus.Completed"/>.</summary>
    public ToolResult? Result { get; init; }

    /// <summary>Gets the request that started the operation.</summary>
    public string? StartedByRequestId { get; init; }
}
