namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The evidence record contract: a correlated, minimized proof of one decision, action, artifact, failure or uncertainty.
/// Every lifecycle stage writes at least one. Records hold digests and sizes of prompts and payloads, not raw text, unless
/// the host opts in.
/// </summary>
public sealed record EvidenceRecord : IVersionedContract
{
    /// <inheritdoc />
    public string ContractVersion { get; init; } = ContractVersions.Current;

    /// <summary>Gets the unique record id.</summary>
    public required string RecordId { get; init; }

    /// <summary>Gets the id of the request the record belongs to.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the tenant that owns the record.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the position of the record within its request, starting at 1.</summary>
    public required int Sequence { get; init; }

    /// <summary>Gets the lifecycle stage that wrote the record.</summary>
    public required LifecycleStage Stage { get; init; }

    /// <summary>Gets the record kind (for example <c>stage</c>, <c>inference.attempt</c>, <c>policy.decision</c>, <c>tool.call</c>); see docs/evidence-records.md.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets how the stage or action ended.</summary>
    public required StageOutcome Outcome { get; init; }

    /// <summary>Gets a short, non-sensitive statement of what was decided (for example <c>allow</c> or <c>route=local-small</c>).</summary>
    public string? Decision { get; init; }

    /// <summary>Gets machine-readable reason codes.</summary>
    public IReadOnlyList<string> ReasonCodes { get; init => field = value ?? []; } = [];

    /// <summary>Gets when the stage or action started.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets how long it took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets the acting principal's id.</summary>
    public string? ActorId { get; init; }

    /// <summary>Gets the caller's correlation id, if any.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Gets the W3C trace id of the request's trace.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets the W3C span id of the span the record belongs to.</summary>
    public string? SpanId { get; init; }

    /// <summary>Gets the versions in force.</summary>
    public VersionSet Versions { get; init => field = value ?? VersionSet.Empty; } = VersionSet.Empty;

    /// <summary>Gets digests of the payloads involved.</summary>
    public IReadOnlyList<PayloadDigest> Payloads { get; init => field = value ?? []; } = [];

    /// <summary>Gets non-sensitive, stage-specific facts (for example <c>tool.name</c>, <c>tokens.prompt</c>, <c>attempt</c>).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init => field = value ?? EmptyAttributes; } = EmptyAttributes;

    /// <summary>Gets the classification of what the record describes.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Gets the retention class.</summary>
    public RetentionClass Retention { get; init; } = RetentionClass.Standard;

    /// <summary>
    /// Gets flags describing how the record was produced or stored (for example <c>degraded</c>, <c>volatile-storage</c>,
    /// <c>plaintext-storage</c>, <c>raw-content</c>); see docs/evidence-records.md.
    /// </summary>
    public IReadOnlyList<string> Flags { get; init => field = value ?? []; } = [];

    private static readonly IReadOnlyDictionary<string, string> EmptyAttributes = new Dictionary<string, string>(0);
}
