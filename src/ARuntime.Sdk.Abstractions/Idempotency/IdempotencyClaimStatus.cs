namespace ARuntime.Sdk.Idempotency;

/// <summary>The outcome of claiming a request idempotency key.</summary>
public enum IdempotencyClaimStatus
{
    /// <summary>The key was free and is now held by this request: run it.</summary>
    Claimed = 0,

    /// <summary>The same request already finished: return its result.</summary>
    Completed = 1,

    /// <summary>The same request is still running: report an in-progress conflict, never run it twice.</summary>
    InProgress = 2,

    /// <summary>The key was used by a different request: report a conflict.</summary>
    Conflict = 3,
}
