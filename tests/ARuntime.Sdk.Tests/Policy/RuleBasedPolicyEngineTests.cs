using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using static ARuntime.Sdk.Tests.Policy.PolicyTestKit;

namespace ARuntime.Sdk.Tests.Policy;

public sealed class RuleBasedPolicyEngineTests
{
    private static readonly ToolDescriptor Lookup = Tool("lookup");
    private static readonly ToolDescriptor Refund = Tool("refund", SideEffectClass.Irreversible, "payments.refund", "api.payments.example");

    [Test]
    public async Task Side_effecting_tools_are_denied_by_default_and_reads_allowed()
    {
        var engine = Engine();
        var write = await engine.EvaluateAsync(Call(Refund));
        var read = await engine.EvaluateAsync(Call(Lookup));
        Assert.Multiple(() =>
        {
            Assert.That(write.Outcome, Is.EqualTo(PolicyOutcome.Deny));
            Assert.That(write.ReasonCodes, Does.Contain("policy.default_deny_side_effect"));
            Assert.That(write.PolicyVersion, Is.EqualTo("policy/test-7"));
            Assert.That(read.Outcome, Is.EqualTo(PolicyOutcome.Allow));
        });
    }

    [Test]
    public async Task Reads_can_be_denied_by_default_too()
    {
        var engine = Engine(o => o.ReadOnlyToolDefault = PolicyOutcome.Deny);
        var read = await engine.EvaluateAsync(Call(Lookup));
        Assert.That(read.Outcome, Is.EqualTo(PolicyOutcome.Deny));
        Assert.That(read.ReasonCodes, Does.Contain("policy.default_deny"));
    }

    [Test]
    public async Task The_first_matching_rule_decides_and_is_named_in_the_decision()
    {
        var engine = Engine(
            Rule("deny-trial") with { Tenants = ["trial"], ReasonCodes = ["tenant.trial"], Explanation = "Trial tenants cannot refund." },
            Rule("allow-refunds", PolicyOutcome.Allow) with { Tools = ["refund"] });
        var trial = await engine.EvaluateAsync(Call(Refund, tenant: "trial"));
        var paying = await engine.EvaluateAsync(Call(Refund, tenant: "acme"));
        Assert.Multiple(() =>
        {
            Assert.That(trial.Outcome, Is.EqualTo(PolicyOutcome.Deny));
            Assert.That(trial.RuleId, Is.EqualTo("deny-trial"));
            Assert.That(trial.ReasonCodes, Is.EqualTo(new[] { "rule:deny-trial", "tenant.trial" }));
            Assert.That(trial.Explanation, Is.EqualTo("Trial tenants cannot refund."));
            Assert.That(paying.Outcome, Is.EqualTo(PolicyOutcome.Allow));
            Assert.That(paying.RuleId, Is.EqualTo("allow-refunds"));
        });
    }

    private static IEnumerable<TestCaseData> Conditions()
    {
        yield return new TestCaseData(Rule("r") with { ActorRoles = ["support", "admin"] }, Call(Refund, roles: ["admin"]), Call(Refund, roles: ["viewer"])).SetName("Actor roles");
        yield return new TestCaseData(Rule("r") with { ActorKinds = [ActorKind.Agent] }, Call(Refund, kind: ActorKind.Agent), Call(Refund, kind: ActorKind.Human)).SetName("Actor kinds");
        yield return new TestCaseData(Rule("r") with { Tools = ["refund"] }, Call(Refund), Call(Lookup)).SetName("Tools");
        yield return new TestCaseData(Rule("r") with { PermissionClasses = ["payments.refund"] }, Call(Refund), Call(Lookup)).SetName("Permission classes");
        yield return new TestCaseData(Rule("r") with { MinSideEffect = SideEffectClass.ReversibleWrite }, Call(Refund), Call(Lookup)).SetName("Minimum side effect");
        yield return new TestCaseData(Rule("r") with { MaxSideEffect = SideEffectClass.Read }, Call(Lookup), Call(Refund)).SetName("Maximum side effect");
        yield return new TestCaseData(Rule("r") with { Egress = ["*.payments.example"] }, Call(Refund), Call(Lookup)).SetName("Egress pattern");
        yield return new TestCaseData(Rule("r") with { EgressOutside = ["*.corp.example"] }, Call(Refund), Call(Tool("mail", egress: "smtp.corp.example"))).SetName("Egress outside an allow-list");
        yield return new TestCaseData(Rule("r") with { MinRisk = RiskLevel.High }, Call(Refund, risk: RiskLevel.Critical), Call(Refund, risk: RiskLevel.Medium)).SetName("Minimum risk");
        yield return new TestCaseData(Rule("r") with { MaxRisk = RiskLevel.Low }, Call(Refund, risk: RiskLevel.Low), Call(Refund, risk: RiskLevel.Medium)).SetName("Maximum risk");
        yield return new TestCaseData(Rule("r") with { TaskKinds = ["billing"] }, Call(Refund, taskKind: "billing"), Call(Refund, taskKind: "chat")).SetName("Task kinds");
        yield return new TestCaseData(Rule("r") with { Tags = new Dictionary<string, string> { ["channel"] = "web" } }, Call(Refund, tags: new Dictionary<string, string> { ["channel"] = "web" }), Call(Refund, tags: new Dictionary<string, string> { ["channel"] = "phone" })).SetName("Tags");
        yield return new TestCaseData(Rule("r") with { Tenants = ["acme"] }, Call(Refund, tenant: "acme"), Call(Refund, tenant: "globex")).SetName("Tenants");
        yield return new TestCaseData(Rule("r") with { Action = PolicyAction.ApprovedChange }, Call(Refund, action: PolicyAction.ApprovedChange), Call(Refund)).SetName("Approved-change action");
    }

    [TestCaseSource(nameof(Conditions))]
    public async Task A_condition_matches_what_it_names_and_nothing_else(PolicyRule rule, PolicyContext matching, PolicyContext other)
    {
        var engine = Engine(rule with { ReasonCodes = ["matched"] }, Rule("allow-rest", PolicyOutcome.Allow));
        var yes = await engine.EvaluateAsync(matching);
        var no = await engine.EvaluateAsync(other);
        Assert.That(yes.RuleId, Is.EqualTo("r"));
        Assert.That(no.RuleId, Is.EqualTo("allow-rest"));
    }

    [TestCase("/amount", ArgumentOperator.GreaterThan, "100", """{"amount": 150}""", true)]
    [TestCase("/amount", ArgumentOperator.GreaterThan, "100", """{"amount": 100}""", false)]
    [TestCase("/amount", ArgumentOperator.GreaterThanOrEqual, "100", """{"amount": 100.0}""", true)]
    [TestCase("/amount", ArgumentOperator.LessThan, "\"100\"", """{"amount": 99.99}""", true)]
    [TestCase("/amount", ArgumentOperator.LessThanOrEqual, "100", """{"amount": 1e3}""", false)]
    [TestCase("/amount", ArgumentOperator.Equal, "\"100\"", """{"amount": 100}""", true)]
    [TestCase("/currency", ArgumentOperator.Equal, "\"EUR\"", """{"currency": "eur"}""", false)]
    [TestCase("/currency", ArgumentOperator.NotEqual, "\"EUR\"", """{"currency": "USD"}""", true)]
    [TestCase("/currency", ArgumentOperator.NotEqual, "\"EUR\"", """{}""", true)]
    [TestCase("/currency", ArgumentOperator.In, """["EUR","NOK"]""", """{"currency": "NOK"}""", true)]
    [TestCase("/currency", ArgumentOperator.NotIn, """["EUR","NOK"]""", """{"currency": "USD"}""", true)]
    [TestCase("/note", ArgumentOperator.Exists, null, """{"note": null}""", true)]
    [TestCase("/note", ArgumentOperator.NotExists, null, """{"amount": 1}""", true)]
    [TestCase("/to", ArgumentOperator.Matches, "\"^[^@]+@corp\\\\.example$\"", """{"to": "a@corp.example"}""", true)]
    [TestCase("/to", ArgumentOperator.Matches, "\"^[^@]+@corp\\\\.example$\"", """{"to": "a@evil.example"}""", false)]
    [TestCase("/to", ArgumentOperator.EndsWith, "\"@corp.example\"", """{"to": "a@corp.example"}""", true)]
    [TestCase("/to", ArgumentOperator.StartsWith, "\"admin\"", """{"to": "user@corp.example"}""", false)]
    [TestCase("/tags", ArgumentOperator.Contains, "\"urgent\"", """{"tags": ["x","urgent"]}""", true)]
    [TestCase("/items/1/sku", ArgumentOperator.Equal, "\"B\"", """{"items": [{"sku":"A"},{"sku":"B"}]}""", true)]
    [TestCase("/a~1b", ArgumentOperator.Equal, "true", """{"a/b": true}""", true)]
    [TestCase("/amount", ArgumentOperator.GreaterThan, "100", """{}""", false)]
    public async Task Argument_conditions_compare_by_the_argument_type(string path, ArgumentOperator op, string? operand, string arguments, bool matches)
    {
        var condition = new ArgumentCondition { Path = path, Operator = op, Value = operand is null ? null : JsonDocument.Parse(operand).RootElement.Clone() };
        var engine = Engine(Rule("cond") with { Arguments = [condition] }, Rule("rest", PolicyOutcome.Allow));
        var decision = await engine.EvaluateAsync(Call(Refund, arguments));
        Assert.That(decision.RuleId, Is.EqualTo(matches ? "cond" : "rest"));
    }

    [Test]
    public async Task Ignore_case_applies_to_string_comparisons()
    {
        var engine = Engine(Rule("eur") with { Arguments = [new ArgumentCondition { Path = "/currency", Operator = ArgumentOperator.Equal, Value = ArgumentCondition.Json("EUR"), IgnoreCase = true }] });
        var decision = await engine.EvaluateAsync(Call(Refund, """{"currency":"eur"}"""));
        Assert.That(decision.RuleId, Is.EqualTo("eur"));
    }

    [TestCase("2026-01-01T09:00:00Z", true, TestName = "Inside office hours on a weekday")]
    [TestCase("2026-01-01T18:30:00Z", false, TestName = "After office hours")]
    [TestCase("2026-01-03T10:00:00Z", false, TestName = "On a Saturday")]
    public async Task A_time_window_limits_when_a_rule_applies(string now, bool applies)
    {
        var engine = Engine(
            Rule("office", PolicyOutcome.Allow) with
            {
                Time = new PolicyTimeWindow
                {
                    Days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
                    From = new TimeOnly(8, 0),
                    To = new TimeOnly(17, 0),
                    TimeZone = "Europe/Oslo",
                },
            });
        var decision = await engine.EvaluateAsync(Call(Refund, now: DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(decision.Outcome, Is.EqualTo(applies ? PolicyOutcome.Allow : PolicyOutcome.Deny));
    }

    [Test]
    public async Task A_window_may_run_over_midnight_and_be_bounded_by_instants()
    {
        var engine = Engine(
            Rule("night") with
            {
                Time = new PolicyTimeWindow { From = new TimeOnly(22, 0), To = new TimeOnly(6, 0), NotBefore = Thursday0900, NotAfter = Thursday0900.AddDays(7) },
            },
            Rule("rest", PolicyOutcome.Allow));
        async Task<string?> At(DateTimeOffset when) => (await engine.EvaluateAsync(Call(Refund, now: when))).RuleId;
        Assert.That(await At(Thursday0900.AddHours(14)), Is.EqualTo("night"), "23:00");
        Assert.That(await At(Thursday0900.AddHours(19)), Is.EqualTo("night"), "04:00 next day");
        Assert.That(await At(Thursday0900.AddHours(3)), Is.EqualTo("rest"), "12:00");
        Assert.That(await At(Thursday0900.AddDays(8).AddHours(14)), Is.EqualTo("rest"), "after notAfter");
    }

    [Test]
    public async Task Approval_and_escalation_decisions_carry_their_requirement_version_and_expiry()
    {
        var engine = Engine(
            o => o.DefaultDecisionLifetime = TimeSpan.FromMinutes(15),
            Rule("escalate-big", PolicyOutcome.Escalate) with
            {
                Arguments = [new ArgumentCondition { Path = "/amount", Operator = ArgumentOperator.GreaterThan, Value = ArgumentCondition.Json(1000) }],
                Approval = new ApprovalRequirement { ApproverRoles = ["cfo"], ExpiresAfter = TimeSpan.FromHours(4) },
                DecisionLifetime = TimeSpan.FromHours(1),
            },
            Rule("approve", PolicyOutcome.RequireApproval) with { Tools = ["refund"] });
        var big = await engine.EvaluateAsync(Call(Refund, """{"amount":5000}"""));
        var small = await engine.EvaluateAsync(Call(Refund, """{"amount":5}"""));
        var read = await engine.EvaluateAsync(Call(Lookup));
        Assert.Multiple(() =>
        {
            Assert.That(big.Outcome, Is.EqualTo(PolicyOutcome.Escalate));
            Assert.That(big.Approval?.ApproverRoles, Is.EqualTo(new[] { "cfo" }));
            Assert.That(big.ExpiresAt, Is.EqualTo(Thursday0900.AddHours(1)));
            Assert.That(big.PolicyVersion, Is.EqualTo("policy/test-7"));
            Assert.That(small.Outcome, Is.EqualTo(PolicyOutcome.RequireApproval));
            Assert.That(small.Approval, Is.Not.Null);
            Assert.That(small.ExpiresAt, Is.EqualTo(Thursday0900.AddMinutes(15)));
            Assert.That(read.ExpiresAt, Is.EqualTo(Thursday0900.AddMinutes(15)), "default decisions expire too");
        });
    }

    [Test]
    public async Task Transform_rules_narrow_redact_remove_and_set_arguments()
    {
        var engine = Engine(Rule("narrow", PolicyOutcome.Transform) with
        {
            Transformations =
            [
                new ArgumentTransformation { Kind = ArgumentTransformKind.Clamp, Path = "/amount", Maximum = 100 },
                new ArgumentTransformation { Kind = ArgumentTransformKind.Redact, Path = "/card" },
                new ArgumentTransformation { Kind = ArgumentTransformKind.Remove, Path = "/internal" },
                new ArgumentTransformation { Kind = ArgumentTransformKind.Set, Path = "/currency", Value = ArgumentCondition.Json("EUR") },
                new ArgumentTransformation { Kind = ArgumentTransformKind.KeepOnly, Path = "/cc", Value = ArgumentCondition.Json("a@corp.example", "b@corp.example") },
                new ArgumentTransformation { Kind = ArgumentTransformKind.Remove, Path = "/not/there" },
            ],
        });
        var decision = await engine.EvaluateAsync(Call(Refund, """{"amount":250.5,"card":"4111-1111","internal":"x","cc":["a@corp.example","x@evil.example"]}"""));
        Assert.That(decision.Outcome, Is.EqualTo(PolicyOutcome.Transform));
        var args = decision.TransformedArguments!.Value;
        Assert.Multiple(() =>
        {
            Assert.That(args.GetProperty("amount").GetDecimal(), Is.EqualTo(100m));
            Assert.That(args.GetProperty("card").GetString(), Is.EqualTo("[REDACTED]"));
            Assert.That(args.TryGetProperty("internal", out _), Is.False);
            Assert.That(args.GetProperty("currency").GetString(), Is.EqualTo("EUR"));
            Assert.That(args.GetProperty("cc").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "a@corp.example" }));
        });
    }

    [Test]
    public async Task A_transformation_that_cannot_apply_denies()
    {
        var engine = Engine(Rule("set-deep", PolicyOutcome.Transform) with
        {
            Transformations = [new ArgumentTransformation { Kind = ArgumentTransformKind.Set, Path = "/missing/child", Value = ArgumentCondition.Json(1) }],
        });
        var decision = await engine.EvaluateAsync(Call(Refund, "{}"));
        Assert.That(decision.Outcome, Is.EqualTo(PolicyOutcome.Deny));
        Assert.That(decision.ReasonCodes, Does.Contain("policy.rule_error"));
    }

    [Test]
    public async Task A_code_condition_that_throws_denies_fail_closed()
    {
        var engine = Engine(Rule("buggy", PolicyOutcome.Allow) with { Condition = _ => throw new InvalidOperationException("bug") });
        var decision = await engine.EvaluateAsync(Call(Lookup));
        Assert.That(decision.Outcome, Is.EqualTo(PolicyOutcome.Deny));
        Assert.That(decision.ReasonCodes, Is.EqualTo(new[] { "policy.rule_error", "rule:buggy" }));
    }

    [Test]
    public async Task A_regular_expression_is_evaluated_with_a_timeout()
    {
        // Catastrophic backtracking: the timeout turns it into a rule error, which denies.
        var engine = Engine(Rule("redos", PolicyOutcome.Allow) with
        {
            Arguments = [new ArgumentCondition { Path = "/q", Operator = ArgumentOperator.Matches, Value = ArgumentCondition.Json("^(a+)+$") }],
        });
        var decision = await engine.EvaluateAsync(Call(Lookup, JsonSerializer.Serialize(new { q = new string('a', 40) + "!" })));
        Assert.That(decision.Outcome, Is.EqualTo(PolicyOutcome.Deny));
        Assert.That(decision.ReasonCodes, Does.Contain("policy.rule_error"));
    }

    [Test]
    public void Invalid_rules_are_reported_together_with_their_location()
    {
        var ex = Assert.Throws<PolicyDocumentException>(() => Engine(
            Rule("bad pointer") with { Arguments = [new ArgumentCondition { Path = "amount", Operator = ArgumentOperator.GreaterThan, Value = ArgumentCondition.Json(1) }] },
            Rule("escalate-nobody", PolicyOutcome.Escalate),
            Rule("transform-nothing", PolicyOutcome.Transform),
            Rule("bad-regex") with { Arguments = [new ArgumentCondition { Path = "/a", Operator = ArgumentOperator.Matches, Value = ArgumentCondition.Json("(") }] },
            Rule("in-needs-array") with { Arguments = [new ArgumentCondition { Path = "/a", Operator = ArgumentOperator.In, Value = ArgumentCondition.Json("x") }] },
            Rule("route-with-tools") with { Action = PolicyAction.ModelRoute, Tools = ["refund"] },
            Rule("zone") with { Time = new PolicyTimeWindow { TimeZone = "Mars/Olympus_Mons" } },
            Rule("zone")));
        var errors = ex!.Errors;
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Some.Contains("Policy.Rules[0]").And.Contains("id must be"));
            Assert.That(errors, Has.Some.Contains("'amount' is not a JSON Pointer"));
            Assert.That(errors, Has.Some.Contains("escalate rule must name the higher authority"));
            Assert.That(errors, Has.Some.Contains("transform rule needs transformations"));
            Assert.That(errors, Has.Some.Contains("not a valid regular expression"));
            Assert.That(errors, Has.Some.Contains("'in' needs an array"));
            Assert.That(errors, Has.Some.Contains("applies only to tool-call rules"));
            Assert.That(errors, Has.Some.Contains("Mars/Olympus_Mons"));
            Assert.That(errors, Has.Some.Contains("'zone' is used twice"));
        });
    }
}
