using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Lifecycle;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// The default policy engine: ordered rules, first match decides. With no matching rule, a tool call without side effects
/// (none or read) gets <see cref="PolicyOptions.ReadOnlyToolDefault"/> (allow unless configured otherwise), a side-effecting
/// tool call is denied, a budget extension is denied, and other actions are allowed. A rule that throws is a denial (fail
/// closed). Rules are checked and prepared once, when the engine is created; decisions carry the policy version, the rule,
/// reason codes and an expiry.
/// </summary>
public sealed class RuleBasedPolicyEngine : IPolicyEngine
{
    private readonly PolicyOptions options;
    private readonly CompiledPolicyRule[] rules;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The runtime options.</param>
    /// <exception cref="PolicyDocumentException">A rule is invalid (startup validation reports the same problems earlier).</exception>
    public RuleBasedPolicyEngine(IOptions<ARuntimeOptions> options)
        : this(options?.Value.Policy ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The policy.</param>
    /// <exception cref="PolicyDocumentException">A rule is invalid.</exception>
    public RuleBasedPolicyEngine(PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        var errors = new List<string>(options.LoadErrors);
        rules = Compile(options, errors);
        if (errors.Count > 0)
        {
            throw new PolicyDocumentException(errors);
        }
    }

    /// <inheritdoc />
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var rule in rules)
        {
            bool matches;
            try
            {
                matches = rule.Matches(context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return ValueTask.FromResult(RuleError(rule.Rule, "could not be evaluated", context));
            }

            if (matches)
            {
                return ValueTask.FromResult(Decide(rule, context));
            }
        }

        return ValueTask.FromResult(Default(context));
    }

    /// <summary>Checks every rule of <paramref name="options"/>, adding each problem to <paramref name="errors"/>.</summary>
    internal static CompiledPolicyRule[] Compile(PolicyOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.Version))
        {
            errors.Add("Policy.Version must be set (it is recorded in every decision).");
        }

        if (options.ReadOnlyToolDefault is not (PolicyOutcome.Allow or PolicyOutcome.Deny))
        {
            errors.Add($"Policy.ReadOnlyToolDefault must be Allow or Deny, not {options.ReadOnlyToolDefault}.");
        }

        if (options.DefaultDecisionLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            errors.Add("Policy.DefaultDecisionLifetime must be positive.");
        }

        var compiled = new List<CompiledPolicyRule>(options.Rules.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            if (rule is not null && !string.IsNullOrWhiteSpace(rule.Id) && !ids.Add(rule.Id))
            {
                errors.Add($"Policy.Rules[{i}]: the rule id '{rule.Id}' is used twice.");
            }

            if (CompiledPolicyRule.Compile(rule, $"Policy.Rules[{i}]", errors) is { } ok)
            {
                compiled.Add(ok);
            }
        }

        return [.. compiled];
    }

    private PolicyDecision Decide(CompiledPolicyRule compiled, PolicyContext context)
    {
        var rule = compiled.Rule;
        var reasons = new List<string>(rule.ReasonCodes.Count + 1) { "rule:" + rule.Id };
        reasons.AddRange(rule.ReasonCodes);
        var decision = new PolicyDecision
        {
            Outcome = rule.Outcome,
            PolicyVersion = options.Version,
            RuleId = rule.Id,
            ReasonCodes = reasons,
            Explanation = rule.Explanation ?? DefaultExplanation(rule.Outcome),
            ExpiresAt = Expiry(rule.DecisionLifetime, context),
            Approval = rule.Outcome is PolicyOutcome.RequireApproval or PolicyOutcome.Escalate ? rule.Approval ?? new ApprovalRequirement() : null,
        };

        if (rule.Outcome is PolicyOutcome.Transform)
        {
            try
            {
                decision = decision with { TransformedArguments = compiled.TransformArguments(context) };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return RuleError(rule, "could not transform the arguments", context);
            }
        }

        return decision;
    }

    private PolicyDecision RuleError(PolicyRule rule, string what, PolicyContext context) =>
        PolicyDecision.Deny(options.Version, $"Policy rule '{rule.Id}' {what}; the action is denied.", "policy.rule_error", "rule:" + rule.Id)
            with { RuleId = rule.Id, ExpiresAt = Expiry(null, context) };

    private PolicyDecision Default(PolicyContext context)
    {
        var decision = context.Action switch
        {
            PolicyAction.ToolCall or PolicyAction.ApprovedChange when context.Tool is null =>
                PolicyDecision.Deny(options.Version, "The call names no registered tool.", "policy.default_deny_unknown_tool"),
            PolicyAction.ToolCall or PolicyAction.ApprovedChange when context.Tool is { SideEffect: > SideEffectClass.Read } =>
                PolicyDecision.Deny(options.Version, "No policy rule allows this side-effecting tool call.", "policy.default_deny_side_effect"),
            PolicyAction.ToolCall or PolicyAction.ApprovedChange when options.ReadOnlyToolDefault == PolicyOutcome.Deny =>
                PolicyDecision.Deny(options.Version, "No policy rule allows this tool call.", "policy.default_deny"),
            PolicyAction.BudgetExtension =>
                PolicyDecision.Deny(options.Version, "No policy rule allows extending the budget.", "policy.default_deny_budget_extension"),
            _ => PolicyDecision.Allow(options.Version, "policy.default_allow"),
        };
        return decision with { ExpiresAt = Expiry(null, context) };
    }

    private DateTimeOffset? Expiry(TimeSpan? ruleLifetime, PolicyContext context) =>
        (ruleLifetime ?? options.DefaultDecisionLifetime) is { } lifetime ? SafeTime.Add(context.Now, lifetime) : null;

    private static string DefaultExplanation(PolicyOutcome outcome) => outcome switch
    {
        PolicyOutcome.Deny => "Denied by policy.",
        PolicyOutcome.RequireApproval => "A human must approve this call first.",
        PolicyOutcome.Escalate => "This call needs approval from a higher authority.",
        PolicyOutcome.Transform => "The call was changed by policy.",
        _ => "Allowed by policy.",
    };
}
