namespace ARuntime.Sdk;

/// <summary>The stable error codes of <see cref="AgentError.Code"/>.</summary>
public static class AgentErrorCodes
{
    /// <summary>The request has no tenant.</summary>
    public const string MissingTenant = "admission.missing_tenant";

    /// <summary>The request has no actor, or the actor has no id.</summary>
    public const string MissingActor = "admission.missing_actor";

    /// <summary>The request has no task prompt.</summary>
    public const string MissingTask = "admission.missing_task";

    /// <summary>The request's deadline is already past.</summary>
    public const string DeadlinePassed = "admission.deadline_passed";

    /// <summary>The request's contract version is unknown or unsupported.</summary>
    public const string UnsupportedContractVersion = "admission.unsupported_contract_version";

    /// <summary>The task text exceeds the configured limit.</summary>
    public const string TaskTooLarge = "admission.task_too_large";

    /// <summary>The request lists a tool that is not registered.</summary>
    public const string UnknownTool = "admission.unknown_tool";

    /// <summary>A budget value is negative (or otherwise invalid).</summary>
    public const string InvalidBudget = "admission.invalid_budget";

    /// <summary>A request field is malformed (the message and field say which).</summary>
    public const string InvalidField = "admission.invalid_field";

    /// <summary>The host is at its concurrency or queue limit.</summary>
    public const string Overloaded = "admission.overloaded";

    /// <summary>The idempotency key was used before with a different request.</summary>
    public const string IdempotencyConflict = "idempotency.conflict";

    /// <summary>The idempotency key belongs to a request that is still running.</summary>
    public const string IdempotencyInProgress = "idempotency.in_progress";

    /// <summary>No model deployment is eligible under the route, policy and budget.</summary>
    public const string NoEligibleRoute = "routing.no_eligible_route";

    /// <summary>Every eligible deployment failed (timeout, refusal, overload or engine error).</summary>
    public const string InferenceFailed = "inference.failed";

    /// <summary>The model refused the task on every eligible route.</summary>
    public const string ModelRefused = "inference.refused";

    /// <summary>The model's output stayed invalid after the bounded repair attempts.</summary>
    public const string InvalidModelOutput = "output.invalid";

    /// <summary>Required context could not be retrieved; the runtime stopped rather than fabricate.</summary>
    public const string ContextUnavailable = "context.unavailable";

    /// <summary>A tool call timed out and its status could not be established.</summary>
    public const string ToolTimeout = "tool.timeout";

    /// <summary>A tool call failed.</summary>
    public const string ToolFailed = "tool.failed";

    /// <summary>A side effect happened and the step after it failed; see the compensation report.</summary>
    public const string PartialSideEffect = "tool.partial_side_effect";

    /// <summary>A budget ran out.</summary>
    public const string BudgetExhausted = "budget.exhausted";

    /// <summary>The evidence plane could not persist a record required before the next step (fail closed).</summary>
    public const string EvidenceUnavailable = "evidence.unavailable";

    /// <summary>The approval the request waited for expired.</summary>
    public const string ApprovalExpired = "approval.expired";

    /// <summary>No pending approval has that id for that tenant.</summary>
    public const string ApprovalNotFound = "approval.not_found";

    /// <summary>The approver is not permitted to approve (missing role, or the same principal as the requester).</summary>
    public const string ApproverNotPermitted = "approval.approver_not_permitted";

    /// <summary>The approver's changes are outside what policy allows.</summary>
    public const string ApprovalChangesDenied = "approval.changes_denied";

    /// <summary>The caller cancelled.</summary>
    public const string Cancelled = "request.cancelled";

    /// <summary>The request's deadline or wall-time budget passed.</summary>
    public const string TimedOut = "request.timed_out";

    /// <summary>The process stopped while the request ran.</summary>
    public const string Interrupted = "request.interrupted";

    /// <summary>A host response finalizer failed or produced an answer the output contract refuses; the answer is withheld.</summary>
    public const string ResponseFinalizationFailed = "response.finalization_failed";

    /// <summary>An unexpected fault inside the runtime or a host component; the message carries the exception type, never its payload.</summary>
    public const string Internal = "runtime.internal";
}
