using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// How a tool built from a method, a delegate or a Microsoft.Extensions.AI function is classified and run. The input and
/// output schemas come from the .NET types; everything the runtime needs to decide safely is declared here.
/// <see cref="PermissionClass"/> and <see cref="SideEffect"/> are required.
/// </summary>
public sealed class ToolOptions
{
    /// <summary>
    /// Gets or sets the tool name the model calls; defaults to the method's name (a C# local function's own name). A lambda
    /// has no name and must be given one.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the tool version (recorded in evidence).</summary>
    public string Version { get; set; } = "1.0.0";

    /// <summary>Gets or sets the description shown to the model; defaults to the method's <c>[Description]</c>.</summary>
    public string? Description { get; set; }

    /// <summary>Gets or sets the permission class the actor needs (required).</summary>
    public string? PermissionClass { get; set; }

    /// <summary>Gets or sets what the tool changes (required).</summary>
    public SideEffectClass? SideEffect { get; set; }

    /// <summary>Gets the hosts or resources the tool may reach.</summary>
    public IList<string> Egress { get; } = [];

    /// <summary>Gets or sets the credential reference resolved at execution time (bind it with a <c>SecretValue</c> parameter).</summary>
    public string? AuthReference { get; set; }

    /// <summary>Gets or sets the retry policy.</summary>
    public ToolRetryPolicy Retry { get; set; } = ToolRetryPolicy.None;

    /// <summary>Gets or sets how the tool's operations are idempotent.</summary>
    public ToolIdempotency Idempotency { get; set; } = ToolIdempotency.NotIdempotent;

    /// <summary>Gets or sets the timeout of one attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the maximum concurrent executions in the process.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Gets or sets the classification of the tool's results.</summary>
    public DataClassification OutputClassification { get; set; } = DataClassification.Unlabelled;

    /// <summary>Gets or sets an explicit output schema (overrides the one generated from the return type).</summary>
    public JsonElement? OutputSchema { get; set; }

    /// <summary>Gets or sets the compensation that undoes a successful call (required for <see cref="SideEffectClass.ReversibleWrite"/>). Must be idempotent.</summary>
    public Func<ToolCompensationRequest, CancellationToken, ValueTask<CompensationResult>>? Compensate { get; set; }

    /// <summary>Gets or sets a description of what the compensation does (recorded in the descriptor).</summary>
    public string? CompensationDescription { get; set; }

    /// <summary>Gets or sets the timeout of one compensation attempt.</summary>
    public TimeSpan CompensationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the maximum number of compensation attempts (the compensation must be idempotent: every attempt gets the same operation key).</summary>
    public int CompensationMaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the status query that reports an operation's state by its key (used to reconcile instead of blindly retrying).</summary>
    public Func<ToolStatusQuery, CancellationToken, ValueTask<ToolOperationStatus>>? QueryStatus { get; set; }

    /// <summary>Builds the descriptor these options declare for a tool with the given schemas.</summary>
    internal ToolDescriptor ToDescriptor(string? defaultName, string? defaultDescription, JsonElement inputSchema, JsonElement? generatedOutputSchema, bool hasCompensation, bool hasStatusQuery)
    {
        var name = Name ?? defaultName;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ToolRegistrationException(null, "a name is required (ToolOptions.Name).");
        }

        if (CompensationDescription is not null && !hasCompensation)
        {
            throw new ToolRegistrationException(name, "a compensation description is given but no compensation (set ToolOptions.Compensate or override CompensateAsync).");
        }

        return new ToolDescriptor
        {
            Name = name,
            Version = Version,
            Description = Description ?? defaultDescription ?? string.Empty,
            InputSchema = inputSchema,
            OutputSchema = OutputSchema ?? generatedOutputSchema,
            PermissionClass = PermissionClass ?? throw new ToolRegistrationException(name, "a permission class is required (ToolOptions.PermissionClass)."),
            SideEffect = SideEffect ?? throw new ToolRegistrationException(name, "a side-effect class is required (ToolOptions.SideEffect: None, Read, ReversibleWrite or Irreversible)."),
            Egress = [.. Egress],
            AuthReference = AuthReference,
            Retry = Retry ?? throw new ToolRegistrationException(name, "the retry policy cannot be null (use ToolRetryPolicy.None)."),
            Idempotency = Idempotency ?? throw new ToolRegistrationException(name, "the idempotency declaration cannot be null (use ToolIdempotency.NotIdempotent)."),
            Compensation = hasCompensation
                ? new ToolCompensation { Description = CompensationDescription ?? "Undo the operation.", Timeout = CompensationTimeout, MaxAttempts = CompensationMaxAttempts }
                : null,
            SupportsStatusQuery = hasStatusQuery,
            Timeout = Timeout,
            MaxConcurrency = MaxConcurrency,
            OutputClassification = OutputClassification,
        };
    }
}
