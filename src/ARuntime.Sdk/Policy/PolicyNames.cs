using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Policy;

/// <summary>The names policy documents use for outcomes, actions, operators, transformations and classes.</summary>
internal static class PolicyNames
{
    public static readonly IReadOnlyDictionary<string, ArgumentOperator> Operators = new Dictionary<string, ArgumentOperator>(StringComparer.OrdinalIgnoreCase)
    {
        ["eq"] = ArgumentOperator.Equal,
        ["ne"] = ArgumentOperator.NotEqual,
        ["lt"] = ArgumentOperator.LessThan,
        ["le"] = ArgumentOperator.LessThanOrEqual,
        ["gt"] = ArgumentOperator.GreaterThan,
        ["ge"] = ArgumentOperator.GreaterThanOrEqual,
        ["in"] = ArgumentOperator.In,
        ["notIn"] = ArgumentOperator.NotIn,
        ["exists"] = ArgumentOperator.Exists,
        ["notExists"] = ArgumentOperator.NotExists,
        ["matches"] = ArgumentOperator.Matches,
        ["startsWith"] = ArgumentOperator.StartsWith,
        ["endsWith"] = ArgumentOperator.EndsWith,
        ["contains"] = ArgumentOperator.Contains,
    };

    public static readonly IReadOnlyDictionary<string, ArgumentTransformKind> Transformations = new Dictionary<string, ArgumentTransformKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["set"] = ArgumentTransformKind.Set,
        ["remove"] = ArgumentTransformKind.Remove,
        ["redact"] = ArgumentTransformKind.Redact,
        ["clamp"] = ArgumentTransformKind.Clamp,
        ["keepOnly"] = ArgumentTransformKind.KeepOnly,
    };

    public static readonly IReadOnlyDictionary<string, PolicyOutcome> Outcomes = new Dictionary<string, PolicyOutcome>(StringComparer.OrdinalIgnoreCase)
    {
        ["allow"] = PolicyOutcome.Allow,
        ["deny"] = PolicyOutcome.Deny,
        ["transform"] = PolicyOutcome.Transform,
        ["requireApproval"] = PolicyOutcome.RequireApproval,
        ["escalate"] = PolicyOutcome.Escalate,
    };

    public static readonly IReadOnlyDictionary<string, PolicyAction> Actions = new Dictionary<string, PolicyAction>(StringComparer.OrdinalIgnoreCase)
    {
        ["toolCall"] = PolicyAction.ToolCall,
        ["approvedChange"] = PolicyAction.ApprovedChange,
        ["modelRoute"] = PolicyAction.ModelRoute,
        ["memoryRetention"] = PolicyAction.MemoryRetention,
        ["budgetExtension"] = PolicyAction.BudgetExtension,
        ["contextSource"] = PolicyAction.ContextSource,
    };

    public static readonly IReadOnlyDictionary<string, SideEffectClass> SideEffects = new Dictionary<string, SideEffectClass>(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = SideEffectClass.None,
        ["read"] = SideEffectClass.Read,
        ["reversibleWrite"] = SideEffectClass.ReversibleWrite,
        ["irreversible"] = SideEffectClass.Irreversible,
    };

    public static readonly IReadOnlyDictionary<string, RiskLevel> RiskLevels = Enum.GetValues<RiskLevel>()
        .ToDictionary(l => CamelCase(l.ToString()), l => l, StringComparer.OrdinalIgnoreCase);

    public static readonly IReadOnlyDictionary<string, ActorKind> ActorKinds = Enum.GetValues<ActorKind>()
        .ToDictionary(k => CamelCase(k.ToString()), k => k, StringComparer.OrdinalIgnoreCase);

    public static readonly IReadOnlyDictionary<string, DayOfWeek> Days = new Dictionary<string, DayOfWeek>(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = DayOfWeek.Monday,
        ["tue"] = DayOfWeek.Tuesday,
        ["wed"] = DayOfWeek.Wednesday,
        ["thu"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday,
        ["sat"] = DayOfWeek.Saturday,
        ["sun"] = DayOfWeek.Sunday,
        ["monday"] = DayOfWeek.Monday,
        ["tuesday"] = DayOfWeek.Tuesday,
        ["wednesday"] = DayOfWeek.Wednesday,
        ["thursday"] = DayOfWeek.Thursday,
        ["friday"] = DayOfWeek.Friday,
        ["saturday"] = DayOfWeek.Saturday,
        ["sunday"] = DayOfWeek.Sunday,
    };

    public static string Operator(ArgumentOperator op) => Operators.FirstOrDefault(p => p.Value == op).Key ?? op.ToString();

    public static string Outcome(PolicyOutcome outcome) => Outcomes.FirstOrDefault(p => p.Value == outcome).Key ?? outcome.ToString();

    public static string CamelCase(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
