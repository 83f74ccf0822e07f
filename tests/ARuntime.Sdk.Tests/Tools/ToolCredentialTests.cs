using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Tools;

public sealed class ToolCredentialTests
{
    private const string Secret = "sk_live_9f8e7d6c5b4a";

    private static void Lookup(ToolOptions o)
    {
        o.Name = "lookup";
        o.PermissionClass = "crm.read";
        o.SideEffect = SideEffectClass.Read;
        o.AuthReference = "crm-api";
    }

    [Test]
    public async Task The_credential_is_resolved_at_execution_and_a_leaked_value_is_redacted_before_the_model_sees_it()
    {
        SecretValue? received = null;
        object Leaky(string customer, SecretValue? credential)
        {
            received = credential;

            // A careless tool that echoes its credential, in a value and in a property name.
            return new Dictionary<string, object> { ["customer"] = customer, ["debug"] = "auth=" + credential!.Reveal(), [credential.Reveal()] = true };
        }

        var secrets = new InMemorySecretResolver().Set("crm-api", Secret);
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(Leaky, Lookup).UseSecretResolver(secrets),
            ScriptedReply.CallTool("lookup", new { customer = "c-1" }),
            ScriptedReply.Answer("Found."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "crm.read");
        var result = await harness.RunAsync("Look up c-1", "lookup");

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(received?.Reveal(), Is.EqualTo(Secret), "the tool receives the resolved value");
        var prompt = ToolTestKit.Prompt(harness, 1);
        Assert.That(prompt, Does.Not.Contain(Secret));
        Assert.That(prompt, Does.Contain("[REDACTED:crm-api]"));
        Assert.That(ToolTestKit.Prompt(harness, 0), Does.Not.Contain(Secret), "the prompt never carries the credential");
        Assert.That(ToolTestKit.EvidenceJson(harness, result.RequestId), Does.Not.Contain(Secret));
        Assert.That(ToolTestKit.ResultJson(result), Does.Not.Contain(Secret));
        Assert.That(received!.ToString(), Does.Not.Contain(Secret));
    }

    [Test]
    public async Task A_secret_hidden_behind_JSON_escapes_is_still_redacted()
    {
        const string tricky = "p+ss\"w<rd>é";
        var secrets = new InMemorySecretResolver().Set("crm-api", tricky);
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool((string customer, SecretValue credential) => new { echo = credential.Reveal() }, Lookup).UseSecretResolver(secrets),
            ScriptedReply.CallTool("lookup", new { customer = "c-1" }),
            ScriptedReply.Answer("Found."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "crm.read");
        var result = await harness.RunAsync("Look up c-1", "lookup");

        var toolMessage = harness.Engine.Requests[1].Messages.Last(m => m.Role == MessageRole.Tool).Content;
        using var parsed = JsonDocument.Parse(toolMessage);
        Assert.That(parsed.RootElement.GetProperty("result").GetProperty("echo").GetString(), Is.EqualTo("[REDACTED:crm-api]"));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
    }

    [Test]
    public async Task A_tool_needing_a_credential_is_denied_when_no_resolver_is_registered()
    {
        var runs = 0;
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool((string customer) => ++runs, Lookup),
            ScriptedReply.CallTool("lookup", new { customer = "c-1" }),
            ScriptedReply.Answer("Cannot."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "crm.read");
        var result = await harness.RunAsync("Look up c-1", "lookup");

        Assert.That(runs, Is.Zero);
        Assert.That(ToolTestKit.Call(result, "lookup").Outcome, Is.EqualTo(ToolCallOutcome.Denied));
        Assert.That(ToolTestKit.Call(result, "lookup").ReasonCodes, Does.Contain("credential.unavailable"));
    }

    [TestCase(false, TestName = "An_unresolvable_credential_fails_the_call_closed_without_running_it")]
    [TestCase(true, TestName = "A_resolver_that_times_out_on_its_own_fails_the_call_closed_and_the_request_goes_on")]
    public async Task A_credential_that_cannot_be_resolved_fails_the_call_closed(bool vaultTimesOut)
    {
        var runs = 0;
        ISecretResolver secrets = vaultTimesOut ? new TimingOutVault() : new InMemorySecretResolver();
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool((string customer) => ++runs, Lookup).UseSecretResolver(secrets),
            ScriptedReply.CallTool("lookup", new { customer = "c-1" }),
            ScriptedReply.Answer("Cannot."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "crm.read");
        var result = await harness.RunAsync("Look up c-1", "lookup");

        Assert.That(runs, Is.Zero);
        Assert.That(ToolTestKit.Call(result, "lookup").Outcome, Is.EqualTo(ToolCallOutcome.Failed));
        Assert.That(ToolTestKit.Call(result, "lookup").ReasonCodes, Does.Contain("credential.unavailable"));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("could not be resolved"));
    }

    /// <summary>A vault client whose own HTTP timeout fires: it throws a cancellation nobody requested.</summary>
    private sealed class TimingOutVault : ISecretResolver
    {
        public ValueTask<SecretValue> ResolveAsync(SecretRequest request, CancellationToken cancellationToken = default) =>
            throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.");
    }

    [Test]
    public async Task A_rotated_credential_takes_effect_at_the_next_call()
    {
        var seen = new List<string>();
        var secrets = new InMemorySecretResolver().Set("crm-api", "old-value-1");
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool((string customer, SecretValue credential) => { seen.Add(credential.Reveal()); return customer; }, Lookup).UseSecretResolver(secrets),
            ScriptedReply.CallTool("lookup", new { customer = "c-1" }),
            ScriptedReply.Answer("a"),
            ScriptedReply.CallTool("lookup", new { customer = "c-2" }),
            ScriptedReply.Answer("b"));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "crm.read");
        await harness.RunAsync("1", "lookup");
        secrets.Set("crm-api", "new-value-2");
        await harness.RunAsync("2", "lookup");
        Assert.That(seen, Is.EqualTo(new[] { "old-value-1", "new-value-2" }));
    }

    [Test]
    public async Task A_tenant_specific_value_wins_over_the_shared_one()
    {
        var secrets = new InMemorySecretResolver().Set("crm-api", "shared").Set("crm-api", "acme-only", tenantId: "acme");
        var acme = await secrets.ResolveAsync(new SecretRequest { Reference = "crm-api", TenantId = "acme" });
        var other = await secrets.ResolveAsync(new SecretRequest { Reference = "crm-api", TenantId = "globex" });
        Assert.That(acme.Reveal(), Is.EqualTo("acme-only"));
        Assert.That(other.Reveal(), Is.EqualTo("shared"));
        var ex = await Assert.ThrowsAsync<SecretNotFoundException>(async () => await secrets.ResolveAsync(new SecretRequest { Reference = "missing", TenantId = "acme" }));
        Assert.That(ex!.Message, Does.Contain("missing"));
    }

    [Test]
    public async Task The_environment_resolver_reads_variables_late_and_names_what_it_tried_never_a_value()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var reference = "crm-api-" + suffix;
        var variable = "ARUNTIME_SECRET_CRM_API_" + suffix;
        var tenantVariable = "ARUNTIME_SECRET_ACME__CRM_API_" + suffix;
        var resolver = new EnvironmentSecretResolver(new EnvironmentSecretResolverOptions { PerTenant = true });
        try
        {
            Assert.That(resolver.VariableFor(reference), Is.EqualTo(variable));
            var missing = await Assert.ThrowsAsync<SecretNotFoundException>(async () => await resolver.ResolveAsync(new SecretRequest { Reference = reference, TenantId = "acme" }));
            Assert.That(missing!.Message, Does.Contain(variable).And.Contain(tenantVariable));

            Environment.SetEnvironmentVariable(variable, "shared-secret");
            Assert.That((await resolver.ResolveAsync(new SecretRequest { Reference = reference, TenantId = "acme" })).Reveal(), Is.EqualTo("shared-secret"));

            Environment.SetEnvironmentVariable(tenantVariable, "acme-secret");
            Assert.That((await resolver.ResolveAsync(new SecretRequest { Reference = reference, TenantId = "acme" })).Reveal(), Is.EqualTo("acme-secret"));
            Assert.That((await resolver.ResolveAsync(new SecretRequest { Reference = reference, TenantId = "globex" })).Reveal(), Is.EqualTo("shared-secret"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            Environment.SetEnvironmentVariable(tenantVariable, null);
        }
    }

    [Test]
    public void The_environment_resolver_rejects_an_unusable_prefix()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EnvironmentSecretResolver(new EnvironmentSecretResolverOptions { Prefix = "BAD PREFIX" }));
        Assert.That(ex!.Message, Does.Contain("Prefix"));
    }

    [Test]
    public async Task UseEnvironmentSecrets_wires_the_resolver_into_the_runtime()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var variable = "MYAPP_" + suffix;
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            string? seen = null;
            await using var harness = AgentTestHarness.Create(
                b => b.AddTool((string customer, SecretValue credential) => seen = credential.Reveal(), Lookup)
                    .UseEnvironmentSecrets(o => o.Variables["crm-api"] = variable),
                ScriptedReply.CallTool("lookup", new { customer = "c-1" }),
                ScriptedReply.Answer("ok"));
            harness.DefaultIdentity = ToolTestKit.Identity("u1", "crm.read");
            var result = await harness.RunAsync("Look up", "lookup");
            Assert.That(seen, Is.EqualTo("from-env"));
            Assert.That(ToolTestKit.Prompt(harness, 1), Does.Not.Contain("from-env"));
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
