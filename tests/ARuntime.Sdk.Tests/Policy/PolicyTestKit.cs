using System.Text.Json;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Risk;

namespace ARuntime.Sdk.Tests.Policy;

internal static class PolicyTestKit
{
    /// <summary>Thursday 1 January 2026, 09:00 UTC (the test harness's start time).</summary>
    public static readonly DateTimeOffset Thursday0900 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    public static ToolDescriptor Tool(string name, SideEffectClass effect = SideEffectClass.Read, string permission = "p", params string[] egress) => new()
    {
        Name = name,
        InputSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone(),
        PermissionClass = permission,
        SideEffect = effect,
        Egress = egress,
    };

    public static PolicyContext Call(
        ToolDescriptor tool,
        string arguments = "{}",
        string tenant = "acme",
        string[]? roles = null,
        ActorKind kind = ActorKind.Human,
        RiskLevel risk = RiskLevel.Low,
        DateTimeOffset? now = null,
        PolicyAction action = PolicyAction.ToolCall,
        string? taskKind = null,
        IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        Action = action,
        RequestId = "req_test",
        Identity = new RequestIdentity { TenantId = tenant, Actor = new ActorIdentity { Id = "u1", Roles = roles ?? [], Kind = kind } },
        Authority = new AuthorityGrant(),
        Risk = new RiskAssessment { Level = risk },
        Now = now ?? Thursday0900,
        Tool = tool,
        Arguments = JsonDocument.Parse(arguments).RootElement.Clone(),
        TaskKind = taskKind,
        Tags = tags ?? new Dictionary<string, string>(),
    };

    public static RuleBasedPolicyEngine Engine(params PolicyRule[] rules) => Engine(o => { }, rules);

    public static RuleBasedPolicyEngine Engine(Action<PolicyOptions> configure, params PolicyRule[] rules)
    {
        var options = new PolicyOptions { Version = "policy/test-7" };
        foreach (var rule in rules)
        {
            options.Rules.Add(rule);
        }

        configure(options);
        return new RuleBasedPolicyEngine(options);
    }

    public static PolicyRule Rule(string id, PolicyOutcome outcome = PolicyOutcome.Deny) => new() { Id = id, Outcome = outcome };
}
