namespace ARuntime.Sdk.Tools;

/// <summary>The state of an operation as the system of record reports it.</summary>
public enum OperationState
{
    /// <summary>The system of record has no operation with that key: it never took effect.</summary>
    NotFound = 0,

    /// <summary>The operation is still in progress.</summary>
    Pending = 1,

    /// <summary>The operation completed.</summary>
    Succeeded = 2,

    /// <summary>The operation failed without effect.</summary>
    Failed = 3,

    /// <summary>The state cannot be determined now.</summary>
    Unknown = 4,
}
