using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Tests.DependencyInjection;

/// <summary>Composition through DI: validated options, fail-closed evidence, replaceable stage policies.</summary>
public sealed class AddARuntimeTests
{
    private static ServiceProvider Build(Action<ARuntimeBuilder> configure, Action<ARuntimeOptions>? options = null)
    {
        var services = new ServiceCollection();
        configure(services.AddARuntime(options).AddEngine("scripted", new ScriptedInferenceEngine(ScriptedReply.Answer("hi"))));
        return services.BuildServiceProvider();
    }

    [Test]
    public void Without_an_evidence_sink_the_runtime_does_not_start_and_says_what_to_register()
    {
        using var provider = Build(_ => { });

        Assert.That(() => provider.GetRequiredService<IAgentRuntime>(),
            Throws.InstanceOf<OptionsValidationException>()
                .With.Message.Contains("UseSqlCipherStore").And.Message.Contains("UseInMemoryEvidence"));
    }

    [Test]
    public async Task Accepting_volatile_evidence_is_explicit_and_recorded_in_every_record()
    {
        await using var provider = Build(b => b.UseInMemoryEvidence());

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Requests.Valid());
        var records = new List<EvidenceRecord>();
        await foreach (var record in provider.GetRequiredService<IEvidenceReader>().QueryAsync(new EvidenceQuery { TenantId = "tenant-a", RequestId = result.RequestId }))
        {
            records.Add(record);
        }

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(records, Is.Not.Empty);
            Assert.That(records.Select(r => r.Flags), Is.All.Contains(EvidenceFlags.VolatileStorage));
        });
    }

    [Test]
    public void Invalid_options_fail_at_startup_with_messages_naming_each_option()
    {
        using var provider = Build(b => b.UseInMemoryEvidence(), o =>
        {
            o.TerminationGracePeriod = TimeSpan.Zero;
            o.Admission.MaxConcurrentRequests = 0;
            o.Budgets.MaxToolCalls = -1;
            o.Evidence.PayloadHashKey = new byte[8];
            o.Routing.DefaultDeployment = "missing";
        });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IAgentRuntime>())!;
        Assert.That(exception.Failures, Is.SupersetOf(new[]
        {
            "TerminationGracePeriod must be positive.",
            "Admission.MaxConcurrentRequests must be positive.",
            "Budgets.MaxToolCalls cannot be negative.",
            "Evidence.PayloadHashKey must be at least 32 bytes (or empty for plain SHA-256).",
        }));
        Assert.That(exception.Failures.Any(f => f.Contains("'missing'", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void Invalid_options_fail_the_host_startup_validation_before_the_runtime_is_resolved()
    {
        using var provider = Build(b => b.UseInMemoryEvidence(), o => o.TerminationGracePeriod = TimeSpan.Zero);

        // What a host does when it starts: run the validators registered with ValidateOnStart, before any service is resolved.
        var validator = provider.GetService<IStartupValidator>();

        Assert.That(validator, Is.Not.Null, "AddARuntime registers its options for validation at startup");
        var exception = Assert.Throws<OptionsValidationException>(validator!.Validate)!;
        Assert.Multiple(() =>
        {
            Assert.That(exception.OptionsType, Is.EqualTo(typeof(ARuntimeOptions)));
            Assert.That(exception.Message, Does.Contain("TerminationGracePeriod"));
        });
    }

    [Test]
    public void Duplicate_policy_rule_ids_are_refused()
    {
        using var provider = Build(b => b.UseInMemoryEvidence().ConfigurePolicy(p =>
        {
            p.Rules.Add(new PolicyRule { Id = "r1", Outcome = PolicyOutcome.Allow });
            p.Rules.Add(new PolicyRule { Id = "r1", Outcome = PolicyOutcome.Deny });
        }));

        Assert.That(() => provider.GetRequiredService<IAgentRuntime>(), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("r1"));
    }

    [Test]
    public async Task A_host_replaces_a_stage_policy_through_the_builder()
    {
        var policy = new DenyAllPolicy();
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(
            b =>
            {
                tools.Register(b);
                b.UsePolicyEngine(_ => policy);
            },
            ScriptedReply.CallTool("lookup_order", new { orderId = "A-1" }),
            ScriptedReply.Answer("denied"));

        var result = await harness.Runtime.RunAsync(Requests.Valid("x", "lookup_order"));

        Assert.Multiple(() =>
        {
            Assert.That(policy.Calls, Is.GreaterThan(0));
            Assert.That(tools.Lookups, Is.Empty);
            Assert.That(result.ToolCalls.Single().ReasonCodes, Does.Contain("custom.deny"));
        });
    }

    [Test]
    public void Contradictory_tool_declarations_are_rejected_at_registration()
    {
        var services = new ServiceCollection();
        var builder = services.AddARuntime();

        Assert.Multiple(() =>
        {
            Assert.That(() => builder.AddTool((string id) => id, o => { o.Name = "pay"; o.PermissionClass = "p"; o.SideEffect = SideEffectClass.Irreversible; o.Retry = new ToolRetryPolicy { MaxAttempts = 3 }; o.Idempotency = ToolIdempotency.Natural; }),
                Throws.InstanceOf<ToolRegistrationException>().With.Message.Contains("irreversible"));
            Assert.That(() => builder.AddTool((string id) => id, o => { o.Name = "write"; o.PermissionClass = "p"; o.SideEffect = SideEffectClass.ReversibleWrite; }),
                Throws.InstanceOf<ToolRegistrationException>().With.Message.Contains("compensation"));
            Assert.That(() => builder.AddTool((string id) => id, o => { o.Name = "no-class"; o.SideEffect = SideEffectClass.Read; }),
                Throws.InstanceOf<ToolRegistrationException>().With.Message.Contains("permission class"));
            Assert.That(() => builder.AddTool((string id) => id, o => { o.Name = "bad name!"; o.PermissionClass = "p"; o.SideEffect = SideEffectClass.Read; }),
                Throws.InstanceOf<ToolRegistrationException>().With.Message.Contains("name"));
        });
    }

    [Test]
    public void Tool_schemas_come_from_the_parameter_types_and_runtime_parameters_stay_out_of_them()
    {
        var tool = AgentToolFactory.Create(
            (string orderId, int quantity, ToolInvocation invocation, CancellationToken cancellationToken) => new { orderId, quantity },
            o => { o.Name = "order"; o.PermissionClass = "orders"; o.SideEffect = SideEffectClass.Read; });

        var properties = tool.Descriptor.InputSchema.GetProperty("properties");
        Assert.Multiple(() =>
        {
            Assert.That(properties.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "orderId", "quantity" }));
            Assert.That(properties.GetProperty("quantity").GetProperty("type").GetString(), Is.EqualTo("integer"));
            Assert.That(tool.Descriptor.OutputSchema, Is.Not.Null, "the output schema is generated from the return type");
        });
    }

    [Test]
    public async Task Several_deployments_can_be_registered_and_the_route_picks_one()
    {
        var first = new ScriptedInferenceEngine(ScriptedReply.Answer("from first"));
        var second = new ScriptedInferenceEngine(ScriptedReply.Answer("from second"));
        var services = new ServiceCollection();
        services.AddARuntime()
            .AddDeployment(new ModelDeployment { Name = "first" }, _ => first)
            .AddDeployment(new ModelDeployment { Name = "second", Region = "eu" }, _ => second)
            .UseInMemoryEvidence();
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Requests.Valid() with { Route = new ModelRoute { Deployment = "second" } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Answer, Is.EqualTo("from second"));
            Assert.That(result.Deployment, Is.EqualTo("second"));
            Assert.That(first.CallCount, Is.Zero);
        });
    }

    private sealed class DenyAllPolicy : IPolicyEngine
    {
        public int Calls { get; private set; }

        public ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default)
        {
            Calls++;
            return ValueTask.FromResult(context.Action == PolicyAction.ModelRoute
                ? PolicyDecision.Allow("custom")
                : PolicyDecision.Deny("custom", "Nothing is allowed here.", "custom.deny"));
        }
    }
}
