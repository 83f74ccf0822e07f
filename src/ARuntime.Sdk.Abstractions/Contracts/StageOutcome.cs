namespace ARuntime.Sdk.Contracts;

/// <summary>How one execution of a lifecycle stage ended.</summary>
public enum StageOutcome
{
    /// <summary>The stage did its work.</summary>
    Completed = 0,

    /// <summary>The stage ran but had nothing to do this time (for example tool execution when the model answered directly).</summary>
    NotApplicable = 1,

    /// <summary>The stage was not reached because the request ended earlier; recorded so every request has all sixteen stages.</summary>
    NotReached = 2,

    /// <summary>The request was rejected (admission).</summary>
    Rejected = 3,

    /// <summary>A policy denied the action.</summary>
    Denied = 4,

    /// <summary>The stage failed.</summary>
    Failed = 5,

    /// <summary>The request paused (waiting for approval).</summary>
    Paused = 6,

    /// <summary>The caller cancelled.</summary>
    Cancelled = 7,

    /// <summary>A deadline or timeout ended the stage.</summary>
    TimedOut = 8,

    /// <summary>The stage completed in a degraded mode (for example a fallback route or evidence buffered after a write failure).</summary>
    Degraded = 9,
}
