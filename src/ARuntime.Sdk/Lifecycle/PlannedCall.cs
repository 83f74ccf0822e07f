using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>A proposed tool call as it moves through planning, authorization, execution and validation.</summary>
internal sealed class PlannedCall
{
    public required ToolCall Call { get; init; }

    /// <summary>Gets or sets the registered tool's descriptor; null when the model named an unknown tool.</summary>
    public ToolDescriptor? Descriptor { get; set; }

    public AgentTool? Tool { get; set; }

    /// <summary>Gets or sets the input-schema violations; a call with any never runs.</summary>
    public IReadOnlyList<string> ValidationErrors { get; set; } = [];

    public PolicyDecision? Decision { get; set; }

    /// <summary>Gets or sets the arguments the tool runs with (transformed by policy or changed by an approver).</summary>
    public JsonElement EffectiveArguments
    {
        get => effectiveArguments;
        set
        {
            effectiveArguments = value;
            argumentsDigest = null;
        }
    }

    private JsonElement effectiveArguments;
    private PayloadDigest? argumentsDigest;

    /// <summary>Returns the digest of the effective arguments (computed once per value: several records carry it).</summary>
    public PayloadDigest ArgumentsDigest(RequestContext context, string name = "tool.arguments")
    {
        argumentsDigest ??= context.Hasher.Digest("tool.arguments", effectiveArguments.ValueKind == JsonValueKind.Undefined ? string.Empty : effectiveArguments.GetRawText(), context.Classification, context.Redactor);
        return name == argumentsDigest.Name ? argumentsDigest : argumentsDigest with { Name = name };
    }

    public ToolCallOutcome? Outcome { get; set; }

    public ToolResult? Result { get; set; }

    public string? OperationKey { get; set; }

    public List<string> ReasonCodes { get; } = [];

    public string? Explanation { get; set; }

    /// <summary>Gets or sets whether a human approved this call (it then skips the approval requirement when authorized again).</summary>
    public bool Approved { get; set; }

    /// <summary>Gets or sets who approved the call (checked against the requirement when the call is authorized again).</summary>
    public ActorIdentity? ApprovedBy { get; set; }

    /// <summary>Gets or sets whether the approver changed the arguments (the call is then authorized as an approved change).</summary>
    public bool ChangedByApprover { get; set; }

    public int Attempts { get; set; }

    /// <summary>Gets or sets whether the model has been told this call's outcome.</summary>
    public bool Reported { get; set; }

    public TimeSpan Duration { get; set; }

    /// <summary>Gets whether the call was authorized to run and has not run yet.</summary>
    public bool ReadyToExecute => Outcome is null && Decision is { Permits: true } && ValidationErrors.Count == 0;
}
