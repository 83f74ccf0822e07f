namespace ARuntime.Sdk.Contracts;

/// <summary>How repeating a tool operation behaves.</summary>
public enum IdempotencyKind
{
    /// <summary>Repeating the operation repeats its effect; it is never retried automatically.</summary>
    None = 0,

    /// <summary>The operation is idempotent by nature (for example a read or a set-to-value).</summary>
    Natural = 1,

    /// <summary>The tool deduplicates by the operation key the runtime passes to it.</summary>
    OperationKey = 2,
}
