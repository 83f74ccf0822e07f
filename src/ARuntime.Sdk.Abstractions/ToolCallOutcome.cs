namespace ARuntime.Sdk;

/// <summary>How one proposed tool call ended.</summary>
public enum ToolCallOutcome
{
    /// <summary>The call ran and its result was valid.</summary>
    Succeeded = 0,

    /// <summary>The proposal was malformed or failed input-schema validation; nothing ran.</summary>
    Invalid = 1,

    /// <summary>Policy denied the call; nothing ran.</summary>
    Denied = 2,

    /// <summary>The call waits for a human approval.</summary>
    PendingApproval = 3,

    /// <summary>The call ran and failed (or its result failed validation).</summary>
    Failed = 4,

    /// <summary>The call timed out.</summary>
    TimedOut = 5,

    /// <summary>The call ran and its effect was later undone by its compensation.</summary>
    Compensated = 6,

    /// <summary>The call was a duplicate of an operation already recorded; its earlier result was reused and nothing ran again.</summary>
    Deduplicated = 7,

    /// <summary>The call was not attempted because the request stopped first (budget, cancellation, an earlier failure).</summary>
    NotAttempted = 8,
}
