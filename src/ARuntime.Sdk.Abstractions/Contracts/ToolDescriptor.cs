using System.Text.Json;

namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The tool contract: a tool's typed inputs and outputs, the authority it needs, what it changes, how it authenticates,
/// and how retries, idempotency, compensation and timeouts apply. The runtime registry owns the descriptor; the tool owner
/// supplies the implementation.
/// </summary>
public sealed record ToolDescriptor : IVersionedContract
{
    /// <inheritdoc />
    public string ContractVersion { get; init; } = ContractVersions.Current;

    /// <summary>Gets the tool name the model uses (letters, digits, <c>_</c>, <c>-</c> and <c>.</c>; at most 64 characters).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the tool version, recorded in every evidence record about a call.</summary>
    public string Version { get; init => field = value ?? "1.0.0"; } = "1.0.0";

    /// <summary>Gets the description shown to the model.</summary>
    public string Description { get; init => field = value ?? string.Empty; } = string.Empty;

    /// <summary>Gets the JSON Schema of the arguments (an object schema).</summary>
    public required JsonElement InputSchema { get; init; }

    /// <summary>Gets the JSON Schema of the result, if the tool declares one; results are validated against it.</summary>
    public JsonElement? OutputSchema { get; init; }

    /// <summary>Gets the permission class the actor's authority must include to call the tool (for example <c>orders.write</c>).</summary>
    public required string PermissionClass { get; init; }

    /// <summary>Gets what the tool changes.</summary>
    public required SideEffectClass SideEffect { get; init; }

    /// <summary>Gets the hosts or resources the tool may reach (declared egress), for policy.</summary>
    public IReadOnlyList<string> Egress { get; init => field = value ?? []; } = [];

    /// <summary>
    /// Gets the name of the credential the tool needs, resolved by the secret resolver at execution time. The credential
    /// value never enters the prompt, the model output, logs or evidence.
    /// </summary>
    public string? AuthReference { get; init; }

    /// <summary>Gets the retry policy.</summary>
    public ToolRetryPolicy Retry { get; init => field = value ?? ToolRetryPolicy.None; } = ToolRetryPolicy.None;

    /// <summary>Gets how the tool's operations are idempotent.</summary>
    public ToolIdempotency Idempotency { get; init => field = value ?? ToolIdempotency.NotIdempotent; } = ToolIdempotency.NotIdempotent;

    /// <summary>Gets the compensation action, if the tool's effect can be undone.</summary>
    public ToolCompensation? Compensation { get; init; }

    /// <summary>Gets whether the tool can report the status of an operation by its key (used to reconcile after timeouts and crashes).</summary>
    public bool SupportsStatusQuery { get; init; }

    /// <summary>Gets the timeout of one attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the maximum number of concurrent executions across the process; <see langword="null"/> is unlimited.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Gets the classification of the tool's results.</summary>
    public DataClassification OutputClassification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;
}
