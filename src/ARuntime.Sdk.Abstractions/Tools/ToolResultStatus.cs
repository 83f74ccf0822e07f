namespace ARuntime.Sdk.Tools;

/// <summary>How a tool call ended, as the tool reports it.</summary>
public enum ToolResultStatus
{
    /// <summary>The operation completed.</summary>
    Succeeded = 0,

    /// <summary>The operation failed without effect.</summary>
    Failed = 1,

    /// <summary>The operation was accepted and completes later; its status can be queried by operation key.</summary>
    Pending = 2,

    /// <summary>The operation took effect in part; <see cref="ToolResult.ChangedResources"/> says what changed.</summary>
    Partial = 3,
}
