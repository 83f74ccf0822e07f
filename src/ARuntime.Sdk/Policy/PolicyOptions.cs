using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// Options of the rule-based policy engine: the policy version recorded in every decision, the ordered rules, and the
/// defaults for actions no rule matches. Side-effecting tool calls that no rule matches are always denied.
/// </summary>
public sealed class PolicyOptions
{
    /// <summary>Gets or sets the policy version, recorded in every decision.</summary>
    public string Version { get; set; } = "policy/default-1";

    /// <summary>Gets the rules, in evaluation order.</summary>
    public IList<PolicyRule> Rules { get; } = [];

    /// <summary>Gets or sets how long decisions stay valid when their rule sets no lifetime; <see langword="null"/> means no expiry.</summary>
    public TimeSpan? DefaultDecisionLifetime { get; set; }

    /// <summary>
    /// Gets or sets the outcome of a tool call without side effects (<see cref="SideEffectClass.None"/> or
    /// <see cref="SideEffectClass.Read"/>) that no rule matches: <see cref="PolicyOutcome.Allow"/> (the default) or
    /// <see cref="PolicyOutcome.Deny"/> (deny by default for every tool).
    /// </summary>
    public PolicyOutcome ReadOnlyToolDefault { get; set; } = PolicyOutcome.Allow;

    /// <summary>Gets the problems found while loading policy documents, reported by startup validation.</summary>
    internal List<string> LoadErrors { get; } = [];
}
