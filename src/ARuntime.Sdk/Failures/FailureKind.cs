namespace ARuntime.Sdk.Failures;

/// <summary>
/// The rows of the failure model (reference architecture, "Failure model"), plus caller cancellation and process crash.
/// Each has a detection, a user-visible behaviour, a retry/recovery rule and the evidence it leaves; see docs/failure-model.md.
/// </summary>
public enum FailureKind
{
    /// <summary>The model timed out or refused (detected by deadline or stop reason).</summary>
    ModelTimeoutOrRefusal = 1,

    /// <summary>The model's output failed schema or domain validation.</summary>
    InvalidStructuredOutput = 2,

    /// <summary>A context source timed out, returned nothing usable, or broke the freshness rule.</summary>
    ContextRetrievalFailure = 3,

    /// <summary>A tool call exceeded its deadline.</summary>
    ToolTimeout = 4,

    /// <summary>Policy denied an action.</summary>
    AuthorizationDenial = 5,

    /// <summary>A step failed after earlier side effects in the same request.</summary>
    PartialSideEffect = 6,

    /// <summary>A request or operation arrived again under a key already recorded.</summary>
    DuplicateExecution = 7,

    /// <summary>A token, time, cost or action counter ran out.</summary>
    BudgetExhaustion = 8,

    /// <summary>An evidence record could not be persisted.</summary>
    TracePersistenceFailure = 9,

    /// <summary>The caller cancelled the request.</summary>
    Cancellation = 10,

    /// <summary>The process stopped while the request ran.</summary>
    ProcessCrash = 11,

    /// <summary>
    /// A fault inside the runtime or a host component outside every row above (an unexpected exception); the request fails
    /// closed with <c>runtime.internal</c> and the exception type (never its message or payload) in evidence.
    /// </summary>
    InternalFault = 12,
}
