using System.Text.Json;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Risk;

namespace ARuntime.Sdk.Policy;

/// <summary>Everything a policy may decide on. Policies never see raw model text beyond the typed call's arguments.</summary>
public sealed record PolicyContext
{
    /// <summary>Gets the kind of action.</summary>
    public required PolicyAction Action { get; init; }

    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets who the request runs for.</summary>
    public required RequestIdentity Identity { get; init; }

    /// <summary>Gets the authority resolved for the request.</summary>
    public required AuthorityGrant Authority { get; init; }

    /// <summary>Gets the request's risk assessment.</summary>
    public required RiskAssessment Risk { get; init; }

    /// <summary>Gets the time of the decision (from the runtime's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Gets the tool, for tool-call actions.</summary>
    public ToolDescriptor? Tool { get; init; }

    /// <summary>
    /// Gets the action's typed details: the (schema-valid) arguments, for tool-call actions;
    /// <c>{"dimension", "used", "limit", "proposedLimit"}</c> for <see cref="PolicyAction.BudgetExtension"/>; and
    /// <c>{"source", "fallbackFor"}</c> for <see cref="PolicyAction.ContextSource"/>.
    /// </summary>
    public JsonElement? Arguments { get; init; }

    /// <summary>Gets the deployment name, for route actions.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the deployment's region, for route actions.</summary>
    public string? Region { get; init; }

    /// <summary>Gets the classification of the data involved.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Gets the request's host tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init => field = value ?? EmptyTags; } = EmptyTags;

    /// <summary>Gets the task kind, if the host set one.</summary>
    public string? TaskKind { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyTags = new Dictionary<string, string>(0);
}
