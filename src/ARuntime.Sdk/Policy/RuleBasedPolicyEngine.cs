using ARuntime.Sdk.Contracts;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// The default policy engine: ordered rules, first match decides. With no matching rule, tool calls without side effects
/// (none or read) are allowed, side-effecting tool calls are denied, budget extensions are denied, and other actions are
/// allowed. A rule that throws is a denial (fail closed).
/// </summary>
public sealed class RuleBasedPolicyEngine : IPolicyEngine
{
    private readonly PolicyOptions options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The runtime options.</param>
    public RuleBasedPolicyEngine(IOptions<ARuntimeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value.Policy;
    }

    /// <inheritdoc />
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var rule in options.Rules)
        {
            bool matches;
            try
            {
                matches = Matches(rule, context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return ValueTask.FromResult(PolicyDecision.Deny(options.Version, $"Policy rule '{rule.Id}' could not be evaluated.", "policy.rule_error", "rule:" + rule.Id) with { RuleId = rule.Id });
            }

            if (matches)
            {
                return ValueTask.FromResult(Decide(rule, context));
            }
        }

        return ValueTask.FromResult(Default(context));
    }

    private PolicyDecision Decide(PolicyRule rule, PolicyContext context)
    {
        var reasons = new List<string>(rule.ReasonCodes.Count + 1) { "rule:" + rule.Id };
        reasons.AddRange(rule.ReasonCodes);
        var decision = new PolicyDecision
        {
            Outcome = rule.Outcome,
            PolicyVersion = options.Version,
            RuleId = rule.Id,
            ReasonCodes = reasons,
            Explanation = rule.Explanation,
            ExpiresAt = rule.DecisionLifetime is { } lifetime ? context.Now + lifetime : null,
            Approval = rule.Outcome is PolicyOutcome.RequireApproval or PolicyOutcome.Escalate ? rule.Approval ?? new ApprovalRequirement() : null,
        };

        if (rule.Outcome is PolicyOutcome.Transform)
        {
            if (rule.Transform is null)
            {
                return PolicyDecision.Deny(options.Version, $"Policy rule '{rule.Id}' transforms without a transformation.", "policy.rule_error", "rule:" + rule.Id) with { RuleId = rule.Id };
            }

            try
            {
                decision = decision with { TransformedArguments = rule.Transform(context) };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return PolicyDecision.Deny(options.Version, $"Policy rule '{rule.Id}' could not transform the arguments.", "policy.rule_error", "rule:" + rule.Id) with { RuleId = rule.Id };
            }
        }

        return decision;
    }

    private PolicyDecision Default(PolicyContext context) => context.Action switch
    {
        PolicyAction.ToolCall or PolicyAction.ApprovedChange when context.Tool is { SideEffect: > SideEffectClass.Read } =>
            PolicyDecision.Deny(options.Version, "No policy rule allows this side-effecting tool call.", "policy.default_deny_side_effect"),
        PolicyAction.BudgetExtension =>
            PolicyDecision.Deny(options.Version, "No policy rule allows extending the budget.", "policy.default_deny_budget_extension"),
        _ => PolicyDecision.Allow(options.Version, "policy.default_allow"),
    };

    private static bool Matches(PolicyRule rule, PolicyContext context)
    {
        if (rule.Action != context.Action
            && !(rule.Action == PolicyAction.ToolCall && context.Action == PolicyAction.ApprovedChange))
        {
            return false;
        }

        if (rule.Tools.Count > 0 && (context.Tool is null || !rule.Tools.Contains(context.Tool.Name, StringComparer.Ordinal)))
        {
            return false;
        }

        if (rule.Tenants.Count > 0 && !rule.Tenants.Contains(context.Identity.TenantId, StringComparer.Ordinal))
        {
            return false;
        }

        if (rule.ActorRoles.Count > 0 && !rule.ActorRoles.Any(role => context.Identity.Actor.Roles.Contains(role, StringComparer.Ordinal)))
        {
            return false;
        }

        if (rule.PermissionClasses.Count > 0 && (context.Tool is null || !rule.PermissionClasses.Contains(context.Tool.PermissionClass, StringComparer.Ordinal)))
        {
            return false;
        }

        if (rule.MinSideEffect is { } min && (context.Tool is null || context.Tool.SideEffect < min))
        {
            return false;
        }

        if (rule.MaxSideEffect is { } max && (context.Tool is null || context.Tool.SideEffect > max))
        {
            return false;
        }

        if (rule.MinRisk is { } risk && context.Risk.Level < risk)
        {
            return false;
        }

        return rule.Condition is null || rule.Condition(context);
    }
}
