namespace ARuntime.Sdk;

/// <summary>How a request ended (or where it stands, for a paused request).</summary>
public enum AgentRunStatus
{
    /// <summary>The task finished and the answer satisfies the output contract. Check <see cref="AgentResult.IsQualified"/> for caveats such as a capability-changing fallback.</summary>
    Completed = 0,

    /// <summary>The request stopped before finishing (budget exhausted, or a step failed after earlier side effects); the result says what was done and what was not.</summary>
    Partial = 1,

    /// <summary>The request is paused waiting for a human approval; resume it with <see cref="IAgentRuntime.ResumeAsync"/>.</summary>
    PendingApproval = 2,

    /// <summary>The request (or the resume call) was rejected before anything ran; <see cref="AgentResult.Error"/> names the field.</summary>
    Rejected = 3,

    /// <summary>The request failed without side effects left unreported; <see cref="AgentResult.Error"/> says why.</summary>
    Failed = 4,

    /// <summary>The caller cancelled; completed side effects were compensated where possible.</summary>
    Cancelled = 5,

    /// <summary>The request's deadline or wall-time budget passed.</summary>
    TimedOut = 6,

    /// <summary>The host is at its concurrency or queue limit; retry later or route elsewhere. Nothing ran.</summary>
    Overloaded = 7,

    /// <summary>The idempotency key is in use by a different request, or by the same request still running. Nothing ran twice.</summary>
    Conflict = 8,

    /// <summary>The approval the request waited for expired; the request terminated safely.</summary>
    Expired = 9,

    /// <summary>The process stopped while the request ran; found and reported on restart with its evidence.</summary>
    Interrupted = 10,
}
