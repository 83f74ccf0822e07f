using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tools;

/// <summary>A query for the status of an earlier operation.</summary>
public sealed record ToolStatusQuery
{
    /// <summary>Gets the operation key.</summary>
    public required string OperationKey { get; init; }

    /// <summary>Gets the original call, if known.</summary>
    public ToolCall? Call { get; init; }

    /// <summary>Gets the identity the operation ran for.</summary>
    public RequestIdentity? Identity { get; init; }
}
