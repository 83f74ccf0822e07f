namespace ARuntime.Sdk.Idempotency;

/// <summary>The outcome of claiming a tool operation key.</summary>
public enum OperationClaimStatus
{
    /// <summary>The operation never started: run it (the start is now recorded).</summary>
    Started = 0,

    /// <summary>The operation completed before: reuse its result, never run it again.</summary>
    Completed = 1,

    /// <summary>
    /// The operation started before but no result was recorded (another execution is running, or the process stopped in
    /// between): reconcile through the tool's status query, never a blind retry.
    /// </summary>
    InDoubt = 2,
}
