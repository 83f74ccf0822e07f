using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Tests.Policy;

/// <summary>
/// A host that binds <see cref="ARuntimeOptions"/> from the <c>ARuntime</c> section of its configuration, where the
/// documentation puts the policy document (<c>ARuntime:Policy</c>).
/// </summary>
public sealed class PolicyConfigurationBindingTests
{
    private const string Settings = """
        {
          "ARuntime": {
            "AgentName": "configured-agent",
            "Policy": {
              "format": "aruntime.policy/1",
              "version": "support-desk/7",
              "rules": [
                { "id": "small-refunds", "when": { "tools": ["refund"], "arguments": [{ "path": "/amount", "op": "le", "value": 50 }] }, "outcome": "allow" }
              ]
            }
          }
        }
        """;

    private static readonly IConfiguration Configuration =
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Settings))).Build();

    [Test]
    public async Task Binding_the_options_and_reading_the_document_keeps_every_condition_of_the_document()
    {
        var refunds = 0;
        await using var harness = AgentTestHarness.Create(
            b =>
            {
                b.Services.Configure<ARuntimeOptions>(Configuration.GetSection("ARuntime"));
                RegisterRefund(b, () => refunds++).ConfigurePolicy(Configuration.GetSection("ARuntime:Policy"));
            },
            ScriptedReply.CallTool("refund", new { orderId = "A-1", amount = 500 }),
            ScriptedReply.Answer("I could not refund it."));
        harness.DefaultIdentity = Tools.ToolTestKit.Identity("u1", "support", "payments.refund");

        var result = await harness.RunAsync("Refund A-1", "refund");
        var options = harness.Services.GetRequiredService<IOptions<ARuntimeOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(refunds, Is.Zero, "a refund of 500 is outside the document's only allow rule");
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.Denied));
            Assert.That(options.AgentName, Is.EqualTo("configured-agent"), "the rest of the section is bound");
            Assert.That(options.Policy.Rules.Select(r => r.Id), Is.EqualTo(new[] { "small-refunds" }), "the document's rules, once");
            Assert.That(options.Policy.Version, Is.EqualTo("support-desk/7"));
        });
    }

    [Test]
    public void Binding_the_options_without_reading_the_document_stops_at_startup_instead_of_dropping_its_conditions()
    {
        var refunds = 0;

        var error = Assert.Catch(() => AgentTestHarness.Create(
            b =>
            {
                b.Services.Configure<ARuntimeOptions>(Configuration.GetSection("ARuntime"));
                RegisterRefund(b, () => refunds++);
            },
            ScriptedReply.CallTool("refund", new { orderId = "A-1", amount = 500 })));

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.InstanceOf<OptionsValidationException>());
            Assert.That(error!.Message, Does.Contain("ConfigurePolicy"));
            Assert.That(refunds, Is.Zero);
        });
    }

    private static ARuntimeBuilder RegisterRefund(ARuntimeBuilder builder, Action refunded) =>
        builder.AddTool((string orderId, decimal amount) => { refunded(); return "refunded"; }, o =>
        {
            o.Name = "refund";
            o.PermissionClass = "payments.refund";
            o.SideEffect = SideEffectClass.Irreversible;
        });
}
