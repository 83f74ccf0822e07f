using System.Text.Json.Serialization;

namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The runtime request contract: everything the runtime needs to decide how a task may run — identity, task, risk, context,
/// route, tools, memory, budget, output, trace, deadline, retention and idempotency. It is validated at admission; an
/// invalid request is rejected with a typed error naming the field, and nothing else runs.
/// </summary>
public sealed record RuntimeRequest : IVersionedContract
{
    /// <summary>Initializes a new instance (retention <see cref="RetentionClass.Standard"/> unless set).</summary>
    public RuntimeRequest()
    {
    }

    /// <summary>
    /// Initializes a new instance with a retention class. JSON readers use this constructor, so that a document that leaves
    /// <c>retention</c> out means <see cref="RetentionClass.Standard"/>, not the enum's zero value (a source-generated reader
    /// would otherwise set every init-only member, dotnet/runtime#84484) — in any serializer context, the host's included.
    /// </summary>
    /// <param name="retention">The retention class.</param>
    [JsonConstructor]
    public RuntimeRequest(RetentionClass retention = RetentionClass.Standard)
    {
        Retention = retention;
    }

    /// <inheritdoc />
    public string ContractVersion { get; init; } = ContractVersions.Current;

    /// <summary>Gets who the request runs for.</summary>
    public required RequestIdentity Identity { get; init; }

    /// <summary>Gets what the agent is asked to do.</summary>
    public required AgentTask Task { get; init; }

    /// <summary>Gets the host's risk hints, if any.</summary>
    public RiskHints? Risk { get; init; }

    /// <summary>Gets the context to assemble before inference.</summary>
    public IReadOnlyList<ContextRequest> Context { get; init => field = value ?? []; } = [];

    /// <summary>Gets the route preference; <see langword="null"/> lets the router choose.</summary>
    public ModelRoute? Route { get; init; }

    /// <summary>
    /// Gets the tools the model may propose, by name. Tools not listed here are never offered to the model, and a proposed
    /// call to one is denied. Empty means no tools.
    /// </summary>
    public IReadOnlyList<string> AllowedTools { get; init => field = value ?? []; } = [];

    /// <summary>Gets the memory policy.</summary>
    public MemoryPolicy Memory { get; init => field = value ?? MemoryPolicy.None; } = MemoryPolicy.None;

    /// <summary>Gets the budget.</summary>
    public Budget Budget { get; init => field = value ?? Budget.HostDefaults; } = Budget.HostDefaults;

    /// <summary>Gets the output contract the final answer must satisfy, if any.</summary>
    public OutputContract? Output { get; init; }

    /// <summary>Gets the caller's trace context, if any; the runtime's spans become its children.</summary>
    public TraceContext? Trace { get; init; }

    /// <summary>Gets the absolute deadline; a deadline already past is rejected at admission.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Gets the retention class of the records and data the request produces.</summary>
    public RetentionClass Retention { get; init; } = RetentionClass.Standard;

    /// <summary>
    /// Gets the idempotency key. A request repeated with the same key (and the same content) returns the original result;
    /// the same key with different content is a conflict.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets the caller's correlation id (for example an upstream request id), recorded with the evidence.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Gets the classification of the request as a whole; combined with the task's classification.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Gets host-defined tags (non-sensitive key/value pairs) recorded with the evidence and available to policy.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init => field = value ?? EmptyTags; } = EmptyTags;

    private static readonly IReadOnlyDictionary<string, string> EmptyTags = new Dictionary<string, string>(0);
}
