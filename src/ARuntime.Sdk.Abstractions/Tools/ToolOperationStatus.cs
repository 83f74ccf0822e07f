namespace ARuntime.Sdk.Tools;

/// <summary>The status of an operation, from a tool's status query.</summary>
public sealed record ToolOperationStatus
{
    /// <summary>Gets the operation's state.</summary>
    public required OperationState State { get; init; }

    /// <summary>Gets the operation's result, when it completed.</summary>
    public ToolResult? Result { get; init; }
}
