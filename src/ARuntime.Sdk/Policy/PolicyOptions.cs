using ARuntime.Sdk.Contracts;
using Microsoft.Extensions.Configuration;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// Options of the rule-based policy engine: the policy version recorded in every decision, the ordered rules, and the
/// defaults for actions no rule matches. Side-effecting tool calls that no rule matches are always denied.
/// </summary>
public sealed class PolicyOptions
{
    /// <summary>Gets or sets the policy version, recorded in every decision.</summary>
    public string Version { get; set; } = "policy/default-1";

    /// <summary>
    /// Gets the rules, in evaluation order. From configuration, rules come as a policy document read with
    /// <c>ConfigurePolicy(section)</c>; the options binder (<c>Configure&lt;ARuntimeOptions&gt;(section)</c>) does not bind
    /// them.
    /// </summary>
    // The binder would map a document rule's id and outcome and silently drop what it cannot map (its "when" conditions,
    // transforms, approval), leaving a rule that matches every call: a conditional allow would allow everything. A key
    // with a path separator is never a child key, so the binder never finds one for this property.
    [ConfigurationKeyName("aruntime:policy-rules-are-read-by-ConfigurePolicy")]
    public IList<PolicyRule> Rules { get; } = [];

    /// <summary>
    /// Gets or sets the format of the policy document applied to these options (<c>aruntime.policy/1</c>), or
    /// <see langword="null"/> when the policy is configured in code. When the options binder sets it from a section holding
    /// a document that no <c>ConfigurePolicy</c> call read, startup validation fails instead of running without the
    /// document's rules.
    /// </summary>
    public string? Format { get; set; }

    /// <summary>Gets or sets whether a policy document was applied (by <see cref="PolicyDocument.ApplyTo"/>).</summary>
    internal bool DocumentApplied { get; set; }

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
