namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The sixteen stages of the request lifecycle, in the order the runtime runs them. Inference through human approval
/// repeat as the tool loop until the model answers or a budget ends it.
/// </summary>
public enum LifecycleStage
{
    /// <summary>Validate protocol, identity, tenant, quota, deadline, idempotency key and contract version.</summary>
    Admission = 1,

    /// <summary>Determine allowed data, models, tools, side effects and delegation.</summary>
    AuthorityResolution = 2,

    /// <summary>Assign consequence, reversibility, data classification and review requirements.</summary>
    RiskClassification = 3,

    /// <summary>Select sources and memory under provenance, freshness, scope and token budgets.</summary>
    ContextAssembly = 4,

    /// <summary>Choose deployment, region, precision, capability, cost and fallback within policy.</summary>
    ModelRouteSelection = 5,

    /// <summary>The engine admits, schedules, executes and streams model output.</summary>
    Inference = 6,

    /// <summary>Treat model output as a proposal; construct typed calls rather than executing free-form text.</summary>
    ToolPlanning = 7,

    /// <summary>Validate schema, permission class, credentials, egress, side-effect class and approval conditions.</summary>
    Authorization = 8,

    /// <summary>Apply timeout, idempotency, concurrency, isolation and observability requirements.</summary>
    ToolExecution = 9,

    /// <summary>Check tool results, the output contract, domain constraints and unexpected state changes.</summary>
    Validation = 10,

    /// <summary>Pause without holding compute; present evidence and expiry.</summary>
    HumanApproval = 11,

    /// <summary>Produce the user result, citations, status and known uncertainty.</summary>
    ResponseFinalization = 12,

    /// <summary>Choose what may be retained, corrected, consolidated, exported or deleted.</summary>
    MemoryDecision = 13,

    /// <summary>Correlate request, model, tool, policy, approval, artifact and recovery records, and make them durable.</summary>
    EvidencePersistence = 14,

    /// <summary>Score task outcome, safety, cost, latency and evidence completeness.</summary>
    Evaluation = 15,

    /// <summary>Retry, compensate, restore, escalate, terminate and preserve the failure record.</summary>
    IncidentRecovery = 16,
}
