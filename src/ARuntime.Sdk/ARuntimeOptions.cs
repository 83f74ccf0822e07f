using ARuntime.Sdk.Admission;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.Evaluation;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Telemetry;

namespace ARuntime.Sdk;

/// <summary>
/// Options of the agent runtime, configured through <c>services.AddARuntime(options => ...)</c> and validated at startup.
/// Every default is the safe one.
/// </summary>
public sealed class ARuntimeOptions
{
    /// <summary>Gets or sets the agent's name (the <c>gen_ai.agent.name</c> telemetry attribute).</summary>
    public string AgentName { get; set; } = "aruntime-agent";

    /// <summary>Gets or sets the agent's version (the <c>gen_ai.agent.version</c> telemetry attribute).</summary>
    public string? AgentVersion { get; set; }

    /// <summary>Gets or sets the host application's release, recorded in every evidence record's version set.</summary>
    public string? ApplicationRelease { get; set; }

    /// <summary>Gets or sets the default system prompt, used when a request carries no instructions of its own.</summary>
    public string? DefaultInstructions { get; set; }

    /// <summary>Gets or sets how long the terminal stages (finalization, memory, evidence, evaluation, recovery) may run after the caller cancelled or the deadline passed.</summary>
    public TimeSpan TerminationGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the admission limits.</summary>
    public AdmissionOptions Admission { get; } = new();

    /// <summary>Gets the default budget applied where a request leaves a limit unset.</summary>
    public BudgetOptions Budgets { get; } = new();

    /// <summary>Gets the tool-loop and inference settings.</summary>
    public InferenceLoopOptions Inference { get; } = new();

    /// <summary>Gets the routing settings.</summary>
    public RoutingOptions Routing { get; } = new();

    /// <summary>Gets the authority settings.</summary>
    public AuthorityOptions Authority { get; } = new();

    /// <summary>Gets the context-assembly settings.</summary>
    public ContextOptions Context { get; } = new();

    /// <summary>Gets the evidence settings.</summary>
    public EvidenceOptions Evidence { get; } = new();

    /// <summary>Gets the idempotency settings.</summary>
    public IdempotencyOptions Idempotency { get; } = new();

    /// <summary>Gets the rule-based policy engine's rules and version.</summary>
    public PolicyOptions Policy { get; } = new();

    /// <summary>Gets the approval settings.</summary>
    public ApprovalOptions Approvals { get; } = new();

    /// <summary>Gets the telemetry settings (content capture, tenant attribute); see docs/observability.md.</summary>
    public TelemetryOptions Telemetry { get; } = new();

    /// <summary>Gets the evaluation settings (targets the default evaluators score against); see docs/evaluation.md.</summary>
    public EvaluationOptions Evaluation { get; } = new();
}
