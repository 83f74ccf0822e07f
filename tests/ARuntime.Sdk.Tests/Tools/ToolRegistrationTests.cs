using Desc = System.ComponentModel.DescriptionAttribute;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace ARuntime.Sdk.Tests.Tools;

public sealed class ToolRegistrationTests
{
    public sealed record RefundRequest([property: Desc("The order to refund")] string OrderId, decimal Amount, string? Note = null);

    public sealed record RefundReceipt(string RefundId, decimal Amount);

    [Desc("Refunds an order.")]
    private static RefundReceipt Refund(RefundRequest request) => new("rf-" + request.OrderId, request.Amount);

    [Test]
    public void A_method_tool_gets_schemas_from_its_types_and_every_declared_classification()
    {
        var tool = AgentToolFactory.Create(Refund, o =>
        {
            o.Name = "refund";
            o.Version = "2.1.0";
            o.PermissionClass = "payments.refund";
            o.SideEffect = SideEffectClass.Irreversible;
            o.Egress.Add("api.payments.example");
            o.AuthReference = "payments-api";
            o.Retry = new ToolRetryPolicy { MaxAttempts = 3 };
            o.Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["request"] };
            o.QueryStatus = (_, _) => ValueTask.FromResult(new ToolOperationStatus { State = OperationState.NotFound });
            o.Timeout = TimeSpan.FromSeconds(5);
            o.MaxConcurrency = 2;
        });

        var d = tool.Descriptor;
        var input = d.InputSchema.GetRawText();
        Assert.Multiple(() =>
        {
            Assert.That(d.Name, Is.EqualTo("refund"));
            Assert.That(d.Version, Is.EqualTo("2.1.0"));
            Assert.That(d.Description, Is.EqualTo("Refunds an order."));
            Assert.That(d.InputSchema.GetProperty("type").GetString(), Is.EqualTo("object"));
            Assert.That(d.InputSchema.GetProperty("properties").TryGetProperty("request", out var request), Is.True, input);
            Assert.That(request.GetProperty("properties").GetProperty("orderId").GetProperty("type").GetString(), Is.EqualTo("string"), input);
            Assert.That(d.OutputSchema?.GetProperty("properties").TryGetProperty("refundId", out _), Is.True, d.OutputSchema?.GetRawText());
            Assert.That(d.PermissionClass, Is.EqualTo("payments.refund"));
            Assert.That(d.SideEffect, Is.EqualTo(SideEffectClass.Irreversible));
            Assert.That(d.Egress, Is.EqualTo(new[] { "api.payments.example" }));
            Assert.That(d.AuthReference, Is.EqualTo("payments-api"));
            Assert.That(d.Retry.MaxAttempts, Is.EqualTo(3));
            Assert.That(d.Idempotency.Kind, Is.EqualTo(IdempotencyKind.OperationKey));
            Assert.That(d.SupportsStatusQuery, Is.True);
            Assert.That(d.Compensation, Is.Null);
            Assert.That(d.Timeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(d.MaxConcurrency, Is.EqualTo(2));
        });
    }

    [Test]
    public void Runtime_parameters_are_bound_by_the_runtime_and_hidden_from_the_schema()
    {
        var tool = AgentToolFactory.Create(
            (string city, ToolInvocation invocation, ARuntime.Sdk.Secrets.SecretValue? key, CancellationToken ct) => city + invocation.OperationKey,
            o => { o.Name = "weather"; o.PermissionClass = "weather.read"; o.SideEffect = SideEffectClass.Read; });
        var properties = tool.Descriptor.InputSchema.GetProperty("properties");
        Assert.That(properties.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "city" }), tool.Descriptor.InputSchema.GetRawText());
    }

    [Test]
    public void A_missing_permission_class_is_rejected_naming_the_tool()
    {
        var ex = Assert.Throws<ToolRegistrationException>(() => AgentToolFactory.Create(Refund, o => { o.Name = "refund"; o.SideEffect = SideEffectClass.Read; }));
        Assert.That(ex!.ToolName, Is.EqualTo("refund"));
        Assert.That(ex.Message, Does.Contain("permission class"));
    }

    [Test]
    public void A_missing_side_effect_class_is_rejected()
    {
        var ex = Assert.Throws<ToolRegistrationException>(() => AgentToolFactory.Create(Refund, o => { o.Name = "refund"; o.PermissionClass = "p"; }));
        Assert.That(ex!.Message, Does.Contain("side-effect class"));
    }

    private static IEnumerable<TestCaseData> Contradictions()
    {
        static Action<ToolOptions> With(SideEffectClass effect, Action<ToolOptions> more) => o =>
        {
            o.Name = "t";
            o.PermissionClass = "p";
            o.SideEffect = effect;
            more(o);
        };

        ValueTask<CompensationResult> Undo(ToolCompensationRequest r, CancellationToken c) => ValueTask.FromResult(CompensationResult.Done);
        ValueTask<ToolOperationStatus> Status(ToolStatusQuery q, CancellationToken c) => ValueTask.FromResult(new ToolOperationStatus { State = OperationState.NotFound });

        yield return new TestCaseData(With(SideEffectClass.Irreversible, o => o.Retry = new ToolRetryPolicy { MaxAttempts = 3 }), "irreversible tool cannot be retried")
            .SetName("Irreversible with automatic retry and no status query");
        yield return new TestCaseData(With(SideEffectClass.ReversibleWrite, o => { }), "must declare its compensation")
            .SetName("Reversible write without compensation");
        yield return new TestCaseData(With(SideEffectClass.Read, o => o.Compensate = Undo), "no sense for a tool without side effects")
            .SetName("Compensation on a read tool");
        yield return new TestCaseData(With(SideEffectClass.Irreversible, o => o.Compensate = Undo), "irreversible tool cannot declare a compensation")
            .SetName("Irreversible tool with a compensation");
        yield return new TestCaseData(With(SideEffectClass.ReversibleWrite, o => { o.Compensate = Undo; o.Retry = new ToolRetryPolicy { MaxAttempts = 2 }; }), "idempotent operation")
            .SetName("Retried side effect that is neither idempotent nor queryable");
        yield return new TestCaseData(With(SideEffectClass.ReversibleWrite, o => { o.Compensate = Undo; o.Retry = new ToolRetryPolicy { RetryOnTimeout = true }; }), "timed-out call")
            .SetName("Timeout retries of an effect that may have happened");
        yield return new TestCaseData(With(SideEffectClass.Irreversible, o => o.Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["missing"] }), "'missing' is not a property")
            .SetName("Idempotency key argument not in the schema");
        yield return new TestCaseData(With(SideEffectClass.Irreversible, o => o.Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["/request/~2bad"] }), "not a valid JSON Pointer")
            .SetName("Idempotency key pointer that is not a JSON Pointer");
        yield return new TestCaseData(With(SideEffectClass.Read, o => o.Name = "has space"), "name must be")
            .SetName("Invalid name");
        yield return new TestCaseData(With(SideEffectClass.Read, o => o.Timeout = TimeSpan.Zero), "timeout must be positive")
            .SetName("Zero timeout");
        yield return new TestCaseData(With(SideEffectClass.Read, o => o.MaxConcurrency = 0), "concurrency limit")
            .SetName("Zero concurrency limit");
        yield return new TestCaseData(With(SideEffectClass.Read, o => o.AuthReference = "  "), "auth reference")
            .SetName("Blank auth reference");
        yield return new TestCaseData(With(SideEffectClass.Read, o => o.Egress.Add("bad host")), "egress entry")
            .SetName("Egress with whitespace");
        yield return new TestCaseData(With(SideEffectClass.Irreversible, o => o.CompensationDescription = "refund it"), "compensation description is given but no compensation")
            .SetName("Compensation description without a compensation");
        yield return new TestCaseData(With(SideEffectClass.ReversibleWrite, o => { o.Compensate = Undo; o.CompensationMaxAttempts = 0; }), "at least one attempt")
            .SetName("Compensation without attempts");
        yield return new TestCaseData(With(SideEffectClass.Irreversible, o => { o.QueryStatus = Status; o.Retry = new ToolRetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromSeconds(-1) }; }), "backoff cannot be negative")
            .SetName("Negative backoff");
    }

    [TestCaseSource(nameof(Contradictions))]
    public void Contradictory_declarations_are_rejected_with_the_reason(Action<ToolOptions> configure, string reason)
    {
        var ex = Assert.Throws<ToolRegistrationException>(() => AgentToolFactory.Create(Refund, configure));
        Assert.That(ex!.Message, Does.Contain(reason));
    }

    [Test]
    public void A_retried_irreversible_tool_is_accepted_when_a_status_query_rules_out_repeats()
    {
        var tool = AgentToolFactory.Create(Refund, o =>
        {
            o.Name = "refund";
            o.PermissionClass = "p";
            o.SideEffect = SideEffectClass.Irreversible;
            o.Retry = new ToolRetryPolicy { MaxAttempts = 3, RetryOnTimeout = true };
            o.QueryStatus = (_, _) => ValueTask.FromResult(new ToolOperationStatus { State = OperationState.NotFound });
        });
        Assert.That(tool.Descriptor.Retry.MaxAttempts, Is.EqualTo(3));
    }

    [Test]
    public void A_read_tool_may_retry_without_declaring_idempotency()
    {
        var tool = AgentToolFactory.Create((string q) => q, o => { o.Name = "search"; o.PermissionClass = "p"; o.SideEffect = SideEffectClass.Read; o.Retry = new ToolRetryPolicy { MaxAttempts = 3, RetryOnTimeout = true }; });
        Assert.That(tool.Descriptor.Retry.RetryOnTimeout, Is.True);
    }

    [Test]
    public void A_Microsoft_Extensions_AI_function_is_registered_with_explicit_classifications()
    {
        var function = AIFunctionFactory.Create((string city) => $"Sunny in {city}", "get_weather", "Gets the weather.");
        var tool = AgentToolFactory.Create(function, o => { o.PermissionClass = "weather.read"; o.SideEffect = SideEffectClass.Read; o.Egress.Add("api.weather.example"); });
        Assert.Multiple(() =>
        {
            Assert.That(tool.Descriptor.Name, Is.EqualTo("get_weather"));
            Assert.That(tool.Descriptor.Description, Is.EqualTo("Gets the weather."));
            Assert.That(tool.Descriptor.InputSchema.GetProperty("properties").TryGetProperty("city", out _), Is.True);
            Assert.That(tool.Descriptor.Egress, Is.EqualTo(new[] { "api.weather.example" }));
        });

        Assert.Throws<ToolRegistrationException>(() => AgentToolFactory.Create(function, o => o.PermissionClass = "weather.read"));
    }

    [Test]
    public async Task A_Microsoft_Extensions_AI_function_runs_through_the_runtime()
    {
        var function = AIFunctionFactory.Create((string city) => new { city, forecast = "sunny" }, "get_weather");
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(function, o => { o.PermissionClass = "weather.read"; o.SideEffect = SideEffectClass.Read; }),
            ScriptedReply.CallTool("get_weather", new { city = "Oslo" }),
            ScriptedReply.Answer("Sunny."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "weather.read");
        var result = await harness.RunAsync("Weather in Oslo?", "get_weather");
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("sunny"));
    }

    /// <summary>A class-based typed tool whose compensation and status query come from overrides.</summary>
    [Desc("Reserves a seat.")]
    private sealed class ReserveSeat(SystemOfRecord system) : AgentTool<ReserveSeat.Input, ReserveSeat.Output>(new ToolOptions
    {
        Name = "reserve_seat",
        PermissionClass = "booking.write",
        SideEffect = SideEffectClass.ReversibleWrite,
        Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["seat"] },
        CompensationDescription = "Releases the seat.",
    })
    {
        public sealed record Input(string Seat);

        public sealed record Output(string Reservation);

        public override ValueTask<CompensationResult> CompensateAsync(ToolCompensationRequest compensation, CancellationToken cancellationToken)
        {
            system.Undo(compensation.OperationKey);
            return ValueTask.FromResult(CompensationResult.Done);
        }

        public override ValueTask<ToolOperationStatus> QueryStatusAsync(ToolStatusQuery query, CancellationToken cancellationToken) =>
            ValueTask.FromResult(system.Status(query.OperationKey));

        protected override ValueTask<Output> ExecuteAsync(Input input, ToolInvocation invocation, CancellationToken cancellationToken)
        {
            if (input.Seat == "Z9")
            {
                throw new ToolFailedException("Seat Z9 does not exist.");
            }

            system.Apply(invocation.OperationKey);
            return ValueTask.FromResult(new Output("r-" + input.Seat));
        }

        protected override IReadOnlyList<string> ChangedResources(Input input, Output output) => ["seat:" + input.Seat];
    }

    [Test]
    public void A_typed_class_tool_declares_schemas_compensation_and_status_query_from_its_code()
    {
        var tool = new ReserveSeat(new SystemOfRecord());
        var d = tool.Descriptor;
        Assert.Multiple(() =>
        {
            Assert.That(d.Name, Is.EqualTo("reserve_seat"));
            Assert.That(d.Description, Is.EqualTo("Reserves a seat."));
            Assert.That(d.InputSchema.GetProperty("properties").TryGetProperty("seat", out _), Is.True, d.InputSchema.GetRawText());
            Assert.That(d.OutputSchema?.GetProperty("properties").TryGetProperty("reservation", out _), Is.True);
            Assert.That(d.Compensation?.Description, Is.EqualTo("Releases the seat."));
            Assert.That(d.SupportsStatusQuery, Is.True);
        });
    }

    [Test]
    public async Task A_typed_class_tool_runs_and_reports_what_it_changed()
    {
        var system = new SystemOfRecord();
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(new ReserveSeat(system)).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("reserve_seat"))),
            ScriptedReply.CallTool("reserve_seat", new { seat = "A1" }),
            ScriptedReply.Answer("Reserved A1."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "booking.write");

        var result = await harness.RunAsync("Reserve a seat", "reserve_seat");

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(system.Executions, Is.EqualTo(1));
        var record = harness.Evidence.OfKind(result.RequestId, "tool.call").Single();
        Assert.That(record.Attributes["changed_resources"], Is.EqualTo("seat:A1"));
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("r-A1"));
    }

    [Test]
    public async Task A_typed_class_tool_reports_an_expected_failure_without_effect()
    {
        var system = new SystemOfRecord();
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(new ReserveSeat(system)).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("reserve_seat"))),
            ScriptedReply.CallTool("reserve_seat", new { seat = "Z9" }));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "booking.write");

        var result = await harness.RunAsync("Reserve a seat", "reserve_seat");

        Assert.That(result.ToolCalls[0].Outcome, Is.EqualTo(ToolCallOutcome.Failed));
        Assert.That(result.ToolCalls[0].ReasonCodes, Does.Contain("tool.failed"));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.ToolFailed));
        Assert.That(system.Executions, Is.Zero);
    }

    /// <summary>A class tool that declares a compensation in its descriptor but never implements it.</summary>
    private sealed class Liar : AgentTool
    {
        public override ToolDescriptor Descriptor { get; } = new()
        {
            Name = "liar",
            InputSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone(),
            PermissionClass = "p",
            SideEffect = SideEffectClass.ReversibleWrite,
            Compensation = new ToolCompensation { Description = "undo" },
        };

        public override ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ToolResult.Failure("no"));
    }

    [Test]
    public void A_declared_compensation_without_an_implementation_is_rejected_at_startup()
    {
        var ex = Assert.Throws<ToolRegistrationException>(() => AgentTestHarness.Create(b => b.AddTool<Liar>()));
        Assert.That(ex!.Message, Does.Contain("does not implement CompensateAsync"));
    }

    [Test]
    public void Two_tools_with_one_name_are_rejected_at_startup()
    {
        static string Echo(string text) => text;
        var ex = Assert.Throws<ToolRegistrationException>(() => AgentTestHarness.Create(b => b
            .AddTool(Echo, o => { o.Name = "echo"; o.PermissionClass = "p"; o.SideEffect = SideEffectClass.None; })
            .AddTool(Echo, o => { o.Name = "echo"; o.PermissionClass = "p"; o.SideEffect = SideEffectClass.None; })));
        Assert.That(ex!.Message, Does.Contain("another tool is already registered"));
    }
}
