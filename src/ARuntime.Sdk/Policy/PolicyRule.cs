using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// One rule of the rule-based policy engine. A rule matches when every condition it sets holds (unset conditions match
/// anything); the first matching rule, in order, decides. Rules come from code (<c>ConfigurePolicy(o =&gt; o.Rules.Add(...))</c>)
/// or from a policy document (<see cref="PolicyDocument"/>); both are validated at startup.
/// </summary>
public sealed record PolicyRule
{
    /// <summary>Gets the rule id (recorded as <see cref="PolicyDecision.RuleId"/> and the reason code <c>rule:&lt;id&gt;</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the outcome when the rule matches.</summary>
    public required PolicyOutcome Outcome { get; init; }

    /// <summary>Gets a description for people reading the policy (not shown to models).</summary>
    public string? Description { get; init; }

    /// <summary>Gets the kind of action the rule applies to. Tool-call rules also apply to calls whose arguments an approver changed.</summary>
    public PolicyAction Action { get; init; } = PolicyAction.ToolCall;

    /// <summary>Gets the tool names the rule applies to; empty matches any tool.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Gets the tenants the rule applies to; empty matches any tenant.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];

    /// <summary>Gets the roles of which the actor must hold at least one; empty matches any actor.</summary>
    public IReadOnlyList<string> ActorRoles { get; init; } = [];

    /// <summary>Gets the kinds of actor (human, service, agent) the rule applies to; empty matches any.</summary>
    public IReadOnlyList<ActorKind> ActorKinds { get; init; } = [];

    /// <summary>Gets the tools' permission classes the rule applies to; empty matches any.</summary>
    public IReadOnlyList<string> PermissionClasses { get; init; } = [];

    /// <summary>Gets the least consequential side-effect class the rule applies to.</summary>
    public SideEffectClass? MinSideEffect { get; init; }

    /// <summary>Gets the most consequential side-effect class the rule applies to.</summary>
    public SideEffectClass? MaxSideEffect { get; init; }

    /// <summary>
    /// Gets egress patterns: the rule applies when the tool declares egress to a host or resource matching one of them. A
    /// pattern is an exact name, <c>*.domain</c> (any subdomain) or <c>*</c> (anything); names compare ignoring case.
    /// </summary>
    public IReadOnlyList<string> Egress { get; init; } = [];

    /// <summary>
    /// Gets an egress allow-list: the rule applies when the tool declares egress to anything matching none of these patterns
    /// (for example a deny rule for tools that can reach outside <c>*.corp.example</c>).
    /// </summary>
    public IReadOnlyList<string> EgressOutside { get; init; } = [];

    /// <summary>Gets the lowest request risk level the rule applies to.</summary>
    public RiskLevel? MinRisk { get; init; }

    /// <summary>Gets the highest request risk level the rule applies to.</summary>
    public RiskLevel? MaxRisk { get; init; }

    /// <summary>Gets conditions on the call's argument values; all must hold.</summary>
    public IReadOnlyList<ArgumentCondition> Arguments { get; init; } = [];

    /// <summary>Gets when the rule applies; <see langword="null"/> means always.</summary>
    public PolicyTimeWindow? Time { get; init; }

    /// <summary>Gets the task kinds (<see cref="AgentTask.Kind"/>) the rule applies to; empty matches any.</summary>
    public IReadOnlyList<string> TaskKinds { get; init; } = [];

    /// <summary>Gets request tags that must all be present with these values.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags;

    /// <summary>Gets the deployments the rule applies to, for route actions; empty matches any.</summary>
    public IReadOnlyList<string> Deployments { get; init; } = [];

    /// <summary>Gets the regions the rule applies to, for route actions; empty matches any.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>Gets an additional condition (for rules configured in code). A condition that throws denies (fail closed).</summary>
    public Func<PolicyContext, bool>? Condition { get; init; }

    /// <summary>Gets the declarative changes a <see cref="PolicyOutcome.Transform"/> rule makes to the arguments, in order.</summary>
    public IReadOnlyList<ArgumentTransformation> Transformations { get; init; } = [];

    /// <summary>Gets a transformation in code, for <see cref="PolicyOutcome.Transform"/> rules (applied after <see cref="Transformations"/>, to their result).</summary>
    public Func<PolicyContext, JsonElement>? Transform { get; init; }

    /// <summary>Gets the explanation given with the decision (shown to the model and the caller for denials; never put secrets in it).</summary>
    public string? Explanation { get; init; }

    /// <summary>Gets extra reason codes.</summary>
    public IReadOnlyList<string> ReasonCodes { get; init; } = [];

    /// <summary>Gets the approval conditions, for approval and escalation rules. An escalation names the approver roles of the higher authority.</summary>
    public ApprovalRequirement? Approval { get; init; }

    /// <summary>Gets how long a decision of this rule stays valid (default <see cref="PolicyOptions.DefaultDecisionLifetime"/>); an approval granted after it is refused.</summary>
    public TimeSpan? DecisionLifetime { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyTags = new Dictionary<string, string>(0);
}
