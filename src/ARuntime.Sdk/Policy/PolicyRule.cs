using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// One rule of the rule-based policy engine. A rule matches when every condition it sets holds (unset conditions match
/// anything); the first matching rule, in declaration order, decides.
/// </summary>
public sealed record PolicyRule
{
    /// <summary>Gets the rule id (recorded as <see cref="PolicyDecision.RuleId"/> and the reason code <c>rule:&lt;id&gt;</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the outcome when the rule matches.</summary>
    public required PolicyOutcome Outcome { get; init; }

    /// <summary>Gets the kind of action the rule applies to.</summary>
    public PolicyAction Action { get; init; } = PolicyAction.ToolCall;

    /// <summary>Gets the tool names the rule applies to; empty matches any tool.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Gets the tenants the rule applies to; empty matches any tenant.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];

    /// <summary>Gets the roles of which the actor must hold at least one; empty matches any actor.</summary>
    public IReadOnlyList<string> ActorRoles { get; init; } = [];

    /// <summary>Gets the tools' permission classes the rule applies to; empty matches any.</summary>
    public IReadOnlyList<string> PermissionClasses { get; init; } = [];

    /// <summary>Gets the least consequential side-effect class the rule applies to.</summary>
    public SideEffectClass? MinSideEffect { get; init; }

    /// <summary>Gets the most consequential side-effect class the rule applies to.</summary>
    public SideEffectClass? MaxSideEffect { get; init; }

    /// <summary>Gets the lowest request risk level the rule applies to.</summary>
    public RiskLevel? MinRisk { get; init; }

    /// <summary>Gets an additional condition (for rules configured in code), for example on argument values or time.</summary>
    public Func<PolicyContext, bool>? Condition { get; init; }

    /// <summary>Gets the arguments to use instead, for <see cref="PolicyOutcome.Transform"/> rules.</summary>
    public Func<PolicyContext, JsonElement>? Transform { get; init; }

    /// <summary>Gets the explanation given with the decision.</summary>
    public string? Explanation { get; init; }

    /// <summary>Gets extra reason codes.</summary>
    public IReadOnlyList<string> ReasonCodes { get; init; } = [];

    /// <summary>Gets the approval conditions, for approval and escalation rules.</summary>
    public ApprovalRequirement? Approval { get; init; }

    /// <summary>Gets how long a decision of this rule stays valid.</summary>
    public TimeSpan? DecisionLifetime { get; init; }
}
