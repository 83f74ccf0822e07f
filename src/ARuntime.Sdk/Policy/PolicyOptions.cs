namespace ARuntime.Sdk.Policy;

/// <summary>Options of the rule-based policy engine.</summary>
public sealed class PolicyOptions
{
    /// <summary>Gets or sets the policy version, recorded in every decision.</summary>
    public string Version { get; set; } = "policy/default-1";

    /// <summary>Gets the rules, in evaluation order.</summary>
    public IList<PolicyRule> Rules { get; } = [];
}
