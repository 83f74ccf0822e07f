using System.Text;
using System.Text.RegularExpressions;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using static ARuntime.Sdk.Tests.Policy.PolicyTestKit;

namespace ARuntime.Sdk.Tests.Policy;

public sealed partial class PolicyDocumentTests
{
    private static readonly ToolDescriptor Refund = Tool("refund", SideEffectClass.Irreversible, "payments.refund", "api.payments.example");
    private static readonly ToolDescriptor Email = Tool("send_email", SideEffectClass.Irreversible, "mail.send", "smtp.corp.example");
    private static readonly ToolDescriptor Discount = Tool("apply_discount", SideEffectClass.ReversibleWrite, "orders.write");
    private static readonly ToolDescriptor Webhook = Tool("call_webhook", SideEffectClass.Irreversible, "hooks", "https://hooks.evil.example/x");
    private static readonly ToolDescriptor Lookup = Tool("get_order");

    /// <summary>The JSON block that follows the <c>policy-document-example</c> marker in docs/tools-and-policy.md.</summary>
    internal static string DocumentedExample()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "docs", "tools-and-policy.md")))
        {
            directory = directory.Parent;
        }

        Assert.That(directory, Is.Not.Null, "docs/tools-and-policy.md not found above the test directory");
        var markdown = File.ReadAllText(Path.Combine(directory!.FullName, "docs", "tools-and-policy.md"));
        var match = ExampleBlock().Match(markdown);
        Assert.That(match.Success, Is.True, "the documented example is missing");
        return match.Groups["json"].Value;
    }

    [GeneratedRegex(@"<!-- policy-document-example -->\s*```json\n(?<json>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();

    private static RuleBasedPolicyEngine EngineFor(PolicyDocument document)
    {
        var options = new PolicyOptions();
        document.ApplyTo(options);
        return new RuleBasedPolicyEngine(options);
    }

    private static readonly DateTimeOffset Saturday = new(2026, 1, 3, 12, 0, 0, TimeSpan.Zero);

    private static IEnumerable<(string Name, PolicyContext Context, PolicyOutcome Outcome, string? Rule)> Scenarios() =>
    [
        ("refund 120 by support", Call(Refund, """{"orderId":"A-1","amount":120}""", roles: ["support"]), PolicyOutcome.RequireApproval, "approve-refunds-over-50"),
        ("injected refund 10000", Call(Refund, """{"orderId":"A-1","amount":10000}""", roles: ["support"]), PolicyOutcome.Deny, "deny-refunds-over-1000"),
        ("refund 300", Call(Refund, """{"orderId":"A-1","amount":300}""", roles: ["support"]), PolicyOutcome.Escalate, "escalate-refunds-over-250"),
        ("refund 30 by support", Call(Refund, """{"orderId":"A-1","amount":30}""", roles: ["support"]), PolicyOutcome.Allow, "support-refunds"),
        ("refund 30 on a Saturday", Call(Refund, """{"orderId":"A-1","amount":30}""", roles: ["support"], now: Saturday), PolicyOutcome.RequireApproval, "no-refunds-on-weekends"),
        ("refund 30 by someone else", Call(Refund, """{"orderId":"A-1","amount":30}""", roles: ["viewer"]), PolicyOutcome.Deny, null),
        ("refund by a trial tenant", Call(Refund, """{"orderId":"A-1","amount":30}""", tenant: "trial", roles: ["support"]), PolicyOutcome.Deny, "trial-tenants-read-only"),
        ("webhook outside the network", Call(Webhook, "{}", roles: ["support"]), PolicyOutcome.Deny, "deny-egress-outside-network"),
        ("internal e-mail", Call(Email, """{"to":"Ops@Corp.Example","body":"hi"}"""), PolicyOutcome.Allow, "internal-email"),
        ("external e-mail", Call(Email, """{"to":"c@customer.example","body":"hi","internalNotes":"vip","accountNumber":"NO93"}"""), PolicyOutcome.Transform, "external-email-minimized"),
        ("discount 35", Call(Discount, """{"orderId":"A-1","percent":35}"""), PolicyOutcome.Transform, "cap-discounts"),
        ("order lookup", Call(Lookup, """{"orderId":"A-1"}"""), PolicyOutcome.Allow, null),
    ];

    [Test]
    public async Task The_documented_example_loads_and_decides_as_described()
    {
        var document = PolicyDocument.Parse(DocumentedExample());
        Assert.That(document.Version, Is.EqualTo("support-desk/2026-01-15"));
        Assert.That(document.Rules, Has.Count.EqualTo(10));
        var engine = EngineFor(document);

        foreach (var (name, context, outcome, rule) in Scenarios())
        {
            var decision = await engine.EvaluateAsync(context);
            Assert.That(decision.Outcome, Is.EqualTo(outcome), name);
            Assert.That(decision.RuleId, Is.EqualTo(rule), name);
            Assert.That(decision.PolicyVersion, Is.EqualTo("support-desk/2026-01-15"), name);
        }
    }

    [Test]
    public async Task The_documented_example_carries_expiry_approval_and_transformations()
    {
        var engine = EngineFor(PolicyDocument.Parse(DocumentedExample()));
        var approval = await engine.EvaluateAsync(Call(Refund, """{"orderId":"A-1","amount":120}""", roles: ["support"]));
        var escalation = await engine.EvaluateAsync(Call(Refund, """{"orderId":"A-1","amount":300}""", roles: ["support"]));
        var lookup = await engine.EvaluateAsync(Call(Lookup, "{}"));
        var email = await engine.EvaluateAsync(Call(Email, """{"to":"c@customer.example","internalNotes":"vip","accountNumber":"NO93"}"""));
        var discount = await engine.EvaluateAsync(Call(Discount, """{"percent":35}"""));
        Assert.Multiple(() =>
        {
            Assert.That(approval.ExpiresAt, Is.EqualTo(Thursday0900.AddHours(2)));
            Assert.That(approval.ReasonCodes, Is.EqualTo(new[] { "rule:approve-refunds-over-50", "refund.needs_supervisor" }));
            Assert.That(approval.Approval?.ApproverRoles, Is.EqualTo(new[] { "supervisor", "finance" }));
            Assert.That(approval.Approval?.ExpiresAfter, Is.EqualTo(TimeSpan.FromHours(2)));
            Assert.That(escalation.Approval?.ApproverRoles, Is.EqualTo(new[] { "finance" }));
            Assert.That(lookup.ExpiresAt, Is.EqualTo(Thursday0900.AddMinutes(15)));
            Assert.That(email.TransformedArguments?.TryGetProperty("internalNotes", out _), Is.False);
            Assert.That(email.TransformedArguments?.GetProperty("accountNumber").GetString(), Is.EqualTo("[REDACTED]"));
            Assert.That(discount.TransformedArguments?.GetProperty("percent").GetDecimal(), Is.EqualTo(20m));
        });
    }

    [Test]
    public async Task The_same_document_read_from_configuration_decides_the_same()
    {
        var wrapped = $$"""{ "ARuntime": { "Policy": {{DocumentedExample()}} } }""";
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(wrapped))).Build();
        var fromConfiguration = EngineFor(PolicyDocument.FromConfiguration(configuration.GetSection("ARuntime:Policy")));
        var fromJson = EngineFor(PolicyDocument.Parse(DocumentedExample()));

        foreach (var (name, context, _, _) in Scenarios())
        {
            var expected = await fromJson.EvaluateAsync(context);
            var actual = await fromConfiguration.EvaluateAsync(context);
            Assert.That(actual.Outcome, Is.EqualTo(expected.Outcome), name);
            Assert.That(actual.RuleId, Is.EqualTo(expected.RuleId), name);
            Assert.That(actual.ExpiresAt, Is.EqualTo(expected.ExpiresAt), name);
            Assert.That(actual.TransformedArguments?.GetRawText(), Is.EqualTo(expected.TransformedArguments?.GetRawText()), name);
        }
    }

    [Test]
    public void Every_problem_of_a_document_is_reported_with_its_location()
    {
        const string json = """
            {
              "format": "aruntime.policy/1",
              "version": "v1",
              "defualts": {},
              "rules": [
                { "id": "a", "outcome": "alow" },
                { "id": "b", "outcome": "deny", "when": { "tool": ["x"] } },
                { "id": "c", "outcome": "deny", "when": { "arguments": [{ "path": "/amount", "op": "gte", "value": 5 }] } },
                { "id": "d", "outcome": "deny", "decisionLifetime": "soon" },
                { "id": "e", "outcome": "escalate" },
                { "outcome": "deny" },
                { "id": "a", "outcome": "deny" },
                { "id": "f", "outcome": "deny", "when": { "time": { "from": "9am" } } }
              ]
            }
            """;
        var ex = Assert.Throws<PolicyDocumentException>(() => PolicyDocument.Parse(json));
        var errors = ex!.Errors;
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Some.Contains("defualts: unknown property (did you mean 'defaults'?)"));
            Assert.That(errors, Has.Some.Contains("rules[0].outcome: 'alow' is not one of allow, deny, transform, requireApproval, escalate"));
            Assert.That(errors, Has.Some.Contains("rules[1].when.tool: unknown property (did you mean 'tools'?)"));
            Assert.That(errors, Has.Some.Contains("rules[2].when.arguments[0].op: 'gte' is not one of eq, ne, lt, le, gt, ge"));
            Assert.That(errors, Has.Some.Contains("rules[3].decisionLifetime: 'soon' is not a duration"));
            Assert.That(errors, Has.Some.Contains("rules[4] ('e'): an escalate rule must name the higher authority: approval.approverRoles"));
            Assert.That(errors, Has.Some.Contains("rules[5].id: required"));
            Assert.That(errors, Has.Some.Contains("the rule id 'a' is used twice"));
            Assert.That(errors, Has.Some.Contains("rules[7].when.time.from: '9am' is not a time of day"));
        });
        Assert.That(ex.Message, Does.Contain("problems"));
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("""{"format":"aruntime.policy/9","version":"v"}""", "expected 'aruntime.policy/1'")]
    [TestCase("""{"format":"aruntime.policy/1"}""", "version: required")]
    [TestCase("""[1,2]""", "a policy document is a JSON object")]
    public void A_malformed_document_is_rejected_clearly(string json, string message)
    {
        var ex = Assert.Throws<PolicyDocumentException>(() => PolicyDocument.Parse(json));
        Assert.That(ex!.Errors, Has.Some.Contains(message));
    }

    [Test]
    public void A_missing_file_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "aruntime-missing-" + Guid.NewGuid().ToString("N") + ".json");
        var ex = Assert.Throws<PolicyDocumentException>(() => PolicyDocument.Load(path));
        Assert.That(ex!.Errors.Single(), Does.Contain(path).And.Contain("cannot be read"));
    }

    [Test]
    public void An_invalid_document_stops_the_runtime_from_starting_with_the_problems_listed()
    {
        var json = """{"format":"aruntime.policy/1","version":"v1","rules":[{"id":"x","outcome":"maybe"}]}""";
        var ex = Assert.Throws<OptionsValidationException>(() => AgentTestHarness.Create(b => b.AddPolicyDocument(new MemoryStream(Encoding.UTF8.GetBytes(json)))));
        Assert.That(ex!.Message, Does.Contain("Policy document: rules[0].outcome: 'maybe' is not one of"));
    }

    [Test]
    public void An_invalid_rule_in_code_stops_the_runtime_from_starting()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => AgentTestHarness.Create(b => b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule
        {
            Id = "big",
            Outcome = PolicyOutcome.Deny,
            Arguments = [new ArgumentCondition { Path = "amount", Operator = ArgumentOperator.GreaterThan, Value = ArgumentCondition.Json(5) }],
        }))));
        Assert.That(ex!.Message, Does.Contain("Policy.Rules[0] ('big'): arguments[0]: path 'amount' is not a JSON Pointer"));
    }

    [Test]
    public async Task A_policy_file_configures_the_running_runtime()
    {
        var path = Path.Combine(Path.GetTempPath(), "aruntime-policy-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, DocumentedExample());
        try
        {
            var runs = 0;
            await using var harness = AgentTestHarness.Create(
                b => b.AddTool((string orderId, decimal amount) => ++runs, o =>
                {
                    o.Name = "refund";
                    o.PermissionClass = "payments.refund";
                    o.SideEffect = SideEffectClass.Irreversible;
                    o.Egress.Add("api.payments.example");
                }).AddPolicyDocument(path),
                ScriptedReply.CallTool("refund", new { orderId = "A-1", amount = 30 }),
                ScriptedReply.Answer("Refunded."));
            harness.DefaultIdentity = Tools.ToolTestKit.Identity("u1", "support", "payments.refund");
            var result = await harness.RunAsync("Refund A-1", "refund");

            Assert.That(runs, Is.EqualTo(1));
            var decision = harness.Evidence.OfKind(result.RequestId, "policy.decision").Single();
            Assert.That(decision.Attributes["policy.version"], Is.EqualTo("support-desk/2026-01-15"));
            Assert.That(decision.Attributes["policy.rule"], Is.EqualTo("support-refunds"));
            Assert.That(decision.Versions.Policy, Is.EqualTo("support-desk/2026-01-15"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
