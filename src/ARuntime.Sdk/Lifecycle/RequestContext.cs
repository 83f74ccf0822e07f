using System.Diagnostics;
using System.Text.Json;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evaluation;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Risk;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Telemetry;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>
/// The request-scoped state every stage reads and writes. Data flows one way: each stage reads what earlier stages decided
/// from here and records its own decisions here; nothing reaches back into other services to ask again.
/// </summary>
internal sealed class RequestContext
{
    public RequestContext(string requestId, RuntimeRequest request, DateTimeOffset admittedAt, BudgetLedger budget, EvidenceRecorder evidence, PayloadHasher hasher, string traceId)
    {
        Hasher = hasher;
        RequestId = requestId;
        Request = request;
        AdmittedAt = admittedAt;
        Budget = budget;
        Evidence = evidence;
        TraceId = traceId;
        // Admission has not validated the request yet: read it defensively.
        Classification = (request.Classification ?? DataClassification.Unlabelled).Combine(request.Task?.Classification);
        TenantId = string.IsNullOrWhiteSpace(request.Identity?.TenantId) ? UnknownTenant : request.Identity.TenantId;
    }

    public string RequestId { get; }

    public RuntimeRequest Request { get; }

    /// <summary>The tenant recorded for a request rejected because it named none.</summary>
    public const string UnknownTenant = "_unknown";

    public string TenantId { get; }

    public DateTimeOffset AdmittedAt { get; }

    /// <summary>Gets or sets the W3C trace id shared by every span and record of the request.</summary>
    public string TraceId { get; set; }

    /// <summary>Gets or sets the caller's span id, parent of the request's spans.</summary>
    public string? ParentSpanId { get; set; }

    /// <summary>Gets or sets the timestamp (from the TimeProvider) at which this run started, for wall time.</summary>
    public long RunStartTimestamp { get; set; }

    /// <summary>Gets or sets the absolute deadline in force: the earlier of the request's deadline and its wall-time budget.</summary>
    public DateTimeOffset? EffectiveDeadline { get; set; }

    /// <summary>Gets or sets whether <see cref="EffectiveDeadline"/> is the wall-time budget (rather than the caller's absolute deadline).</summary>
    public bool DeadlineFromWallBudget { get; set; }

    /// <summary>Gets or sets the caller's token (only the caller's cancellation, not the deadline).</summary>
    public CancellationToken CallerToken { get; set; }

    /// <summary>Gets or sets the token that fires on the deadline only.</summary>
    public CancellationToken DeadlineToken { get; set; }

    public DataClassification Classification { get; set; }

    public AuthorityGrant Authority { get; set; } = new();

    public RiskAssessment Risk { get; set; } = RiskAssessment.Low;

    public IReadOnlyList<ToolDescriptor> OfferedTools { get; set; } = [];

    public List<ContextItem> ContextItems { get; } = [];

    public List<Citation> Citations { get; } = [];

    public List<string> Uncertainty { get; } = [];

    public List<string> Qualifications { get; } = [];

    /// <summary>Gets or sets the context sources that failed, by name, with the reason code (told to the model).</summary>
    public Dictionary<string, string> UnavailableContext { get; } = new(StringComparer.Ordinal);

    public string? RetrievalIndexVersion { get; set; }

    public RoutePlan? RoutePlan { get; set; }

    public int RouteIndex { get; set; }

    /// <summary>
    /// Gets or sets the classification route policy judged the plan's deployments for. Data added later (a tool result's
    /// labels) changes the request's classification, and the inference stage asks policy again before that data reaches a
    /// deployment. Not checkpointed: a resumed request asks again once.
    /// </summary>
    public DataClassification? RoutePlannedFor { get; set; }

    /// <summary>Gets or sets, per deployment, the later classification route policy permitted it for (created when first needed).</summary>
    public Dictionary<string, DataClassification>? RouteRecheckedFor { get; set; }

    public ModelDeployment? ActiveDeployment { get; set; }

    public InferenceEngineMetadata? ActiveEngine { get; set; }

    public List<AgentMessage> Transcript { get; } = [];

    /// <summary>Gets or sets the system message of every model turn (built on the first turn).</summary>
    public AgentMessage? SystemMessage { get; set; }

    public int RepairAttempts { get; set; }

    public TurnState? Turn { get; set; }

    public int TurnCount { get; set; }

    public string? Answer { get; set; }

    public JsonElement? StructuredAnswer { get; set; }

    public bool AnswerAccepted { get; set; }

    public AgentRunStatus? Status { get; private set; }

    public AgentError? Error { get; private set; }

    public RuntimeFailure? Failure { get; private set; }

    public ApprovalTicket? PendingApproval { get; set; }

    /// <summary>Gets or sets the approval decision this run resumes with.</summary>
    public ApprovalDecision? ResumeDecision { get; set; }

    public bool IsResumed { get; set; }

    /// <summary>Gets or sets the request's concurrency slot, released when the run ends.</summary>
    public IDisposable? Slot { get; set; }

    /// <summary>Gets or sets the token the terminal stages and evidence writes use after cancellation (bounded by the grace period).</summary>
    public CancellationToken GraceToken { get; set; }

    /// <summary>
    /// Gets or sets the result once the request's books are closed (journal, idempotency key, checkpoint of a pause): a fault
    /// after that point (a host's telemetry listener, say) must not turn the decided result into another.
    /// </summary>
    public AgentResult? FinalResult { get; set; }

    /// <summary>Gets or sets the grace period behind <see cref="GraceToken"/> (started when the request has to end).</summary>
    public GracePeriod? Grace { get; set; }

    /// <summary>Gets or sets whether this request holds its idempotency key (and must record its result under it).</summary>
    public bool HoldsIdempotencyKey { get; set; }

    /// <summary>Gets or sets the original result when the request repeats a completed one under the same idempotency key.</summary>
    public AgentResult? PriorResult { get; set; }

    /// <summary>Gets or sets the response format of every model turn (built once per request).</summary>
    public InferenceResponseFormat ResponseFormat { get; set; } = InferenceResponseFormat.Text;

    /// <summary>Gets or sets whether model replies use the JSON envelope (tools or an output contract are present).</summary>
    public bool UsesEnvelope { get; set; }

    public BudgetLedger Budget { get; }

    public StageTimeline Timeline { get; } = new();

    public EvidenceRecorder Evidence { get; }

    /// <summary>Gets the payload hasher (digests instead of raw payloads in evidence).</summary>
    public PayloadHasher Hasher { get; }

    public List<ToolCallSummary> ToolCalls { get; } = [];

    /// <summary>Gets or sets whether the resume decision was applied (the resumed run's approval stage ran).</summary>
    public bool ResumeDecisionApplied { get; set; }

    /// <summary>
    /// Gets or sets whether this run was resumed by the runtime's expiry sweep rather than by an approver: the approval
    /// stage then ends the request as expired, and its record names no approver.
    /// </summary>
    public bool ResumedByExpirySweep { get; set; }

    /// <summary>Records (or updates) the summary of a call's final state in the result.</summary>
    public void Summarize(PlannedCall call)
    {
        var summary = new ToolCallSummary
        {
            CallId = call.Call.CallId,
            ToolName = call.Call.ToolName,
            Outcome = call.Outcome ?? ToolCallOutcome.PendingApproval,
            ReasonCodes = [.. call.ReasonCodes],
            OperationKey = call.OperationKey,
            Explanation = call.Explanation,
        };
        for (var i = 0; i < ToolCalls.Count; i++)
        {
            if (ToolCalls[i].CallId == summary.CallId)
            {
                ToolCalls[i] = summary;
                return;
            }
        }

        ToolCalls.Add(summary);
    }

    public SideEffectJournal SideEffects { get; } = new();

    public SecretRedactor Redactor { get; } = new();

    public VersionSet Versions { get; set; } = VersionSet.Empty;

    public List<EvaluationScore> Evaluations { get; } = [];

    /// <summary>Gets or sets the sink of streamed events; null when the caller does not stream.</summary>
    public Action<AgentEvent>? Events { get; set; }

    /// <summary>Gets or sets the activity of the whole request, when telemetry is listening.</summary>
    public Activity? RequestActivity { get; set; }

    /// <summary>Gets or sets the request's telemetry (spans, measurements); set by the pipeline when a run starts.</summary>
    public RequestTelemetry Telemetry { get; set; } = RequestTelemetry.Disabled;

    /// <summary>Gets or sets the running stage and its span id: records it writes without a span id of their own carry this one.</summary>
    public (LifecycleStage Stage, string SpanId)? StageSpan { get; set; }

    /// <summary>Gets whether the tool loop must stop (an answer was accepted, a terminal status was set, or the request paused).</summary>
    public bool LoopFinished => AnswerAccepted || Status is not null || PendingApproval is not null;

    /// <summary>Gets the status the request ends with (or stands at, when paused).</summary>
    public AgentRunStatus FinalStatus =>
        Status ?? (PendingApproval is not null ? AgentRunStatus.PendingApproval : AnswerAccepted ? AgentRunStatus.Completed : AgentRunStatus.Failed);

    /// <summary>Ends the request with a status; the first terminal status wins.</summary>
    public void Terminate(AgentRunStatus status, AgentError? error, FailureKind? failureKind = null, LifecycleStage? stage = null, params string[] reasonCodes)
    {
        if (Status is not null)
        {
            return;
        }

        Status = status;
        Error = error;
        if (failureKind is { } kind)
        {
            Failure = new RuntimeFailure
            {
                Kind = kind,
                Stage = stage ?? error?.Stage ?? LifecycleStage.IncidentRecovery,
                Error = error ?? new AgentError { Code = AgentErrorCodes.Internal, Message = kind.ToString() },
                ReasonCodes = reasonCodes,
            };
        }
    }

    /// <summary>Overrides the terminal status (used by recovery, which knows more than the stage that failed).</summary>
    public void OverrideStatus(AgentRunStatus status, AgentError? error)
    {
        Status = status;
        Error = error ?? Error;
    }

    public void Emit(AgentEvent agentEvent) => Events?.Invoke(agentEvent);

    /// <summary>
    /// What policy is told about this request when asked about <paramref name="action"/>: its identity, authority, risk, tags
    /// and task kind, and the classification of what it holds now (or of <paramref name="classification"/>, the data the
    /// action is about), plus the action's own subject.
    /// </summary>
    public PolicyContext PolicyContextFor(
        PolicyAction action,
        DateTimeOffset now,
        ToolDescriptor? tool = null,
        JsonElement? arguments = null,
        ModelDeployment? deployment = null,
        DataClassification? classification = null) => new()
    {
        Action = action,
        RequestId = RequestId,
        Identity = Request.Identity,
        Authority = Authority,
        Risk = Risk,
        Now = now,
        Tool = tool,
        Arguments = arguments,
        Deployment = deployment?.Name,
        Region = deployment?.Region,
        Classification = classification ?? Classification,
        Tags = Request.Tags,
        TaskKind = Request.Task.Kind,
    };

    /// <summary>Builds an evidence record with the correlation fields every record carries.</summary>
    public EvidenceRecord NewRecord(
        LifecycleStage stage,
        string kind,
        StageOutcome outcome,
        DateTimeOffset timestamp,
        TimeSpan duration,
        string? spanId,
        string? decision = null,
        IReadOnlyList<string>? reasonCodes = null,
        IReadOnlyDictionary<string, string>? attributes = null,
        IReadOnlyList<PayloadDigest>? payloads = null,
        VersionSet? versions = null,
        DataClassification? classification = null)
    {
        var sequence = Evidence.AllocateSequence();
        return new EvidenceRecord
        {
            RecordId = Ids.RecordIdFor(RequestId, sequence),
            RequestId = RequestId,
            TenantId = TenantId,
            Sequence = sequence,
            Stage = stage,
            Kind = kind,
            Outcome = outcome,
            Decision = decision,
            ReasonCodes = reasonCodes ?? [],
            Timestamp = timestamp,
            Duration = duration,
            ActorId = Request.Identity?.Actor?.Id,
            CorrelationId = Request.CorrelationId,
            TraceId = TraceId,
            SpanId = spanId ?? (StageSpan is { } running && running.Stage == stage ? running.SpanId : null),
            Versions = versions ?? Versions,
            Payloads = payloads ?? [],
            Attributes = attributes ?? EmptyAttributes,
            Classification = classification ?? Classification,
            Retention = Request.Retention,
            Flags = CurrentFlags(),
        };
    }

    private IReadOnlyList<string>? cachedFlags;
    private bool cachedFlagsDegraded;

    /// <summary>The flags of the next record: the runtime's base flags, plus degraded and resumed when they apply (cached).</summary>
    private IReadOnlyList<string> CurrentFlags()
    {
        var degraded = Evidence.Degraded;
        if (!degraded && !IsResumed)
        {
            return Evidence.BaseFlags;
        }

        if (cachedFlags is null || cachedFlagsDegraded != degraded)
        {
            var list = new List<string>(Evidence.BaseFlags.Count + 2);
            list.AddRange(Evidence.BaseFlags);
            if (degraded)
            {
                list.Add(EvidenceFlags.Degraded);
            }

            if (IsResumed)
            {
                list.Add(EvidenceFlags.Resumed);
            }

            cachedFlags = list;
            cachedFlagsDegraded = degraded;
        }

        return cachedFlags;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyAttributes = new Dictionary<string, string>(0);
}
