using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Tools;

public sealed class CompensationTests
{
    /// <summary>A reversible booking step whose compensation logs what it undoes; a step named "fail" fails without effect.</summary>
    private sealed class Steps
    {
        public List<string> Applied { get; } = [];

        public List<(string Step, string OperationKey, int Attempt)> Compensations { get; } = [];

        public Func<string, int, CompensationResult> CompensationOutcome { get; set; } = (_, _) => CompensationResult.Done;

        public ToolResult Run(string step, ToolInvocation invocation)
        {
            if (step == "fail")
            {
                return ToolResult.Failure("the supplier rejected the booking");
            }

            Applied.Add(step);
            return ToolResult.Success(System.Text.Json.JsonSerializer.SerializeToElement("booked " + step), "booking:" + step);
        }

        public ValueTask<CompensationResult> Undo(ToolCompensationRequest request, CancellationToken cancellationToken)
        {
            var step = request.Call.Arguments.GetProperty("step").GetString()!;
            Compensations.Add((step, request.OperationKey, request.Attempt));
            return ValueTask.FromResult(CompensationOutcome(step, request.Attempt));
        }
    }

    private static AgentTestHarness Harness(Steps steps, params ScriptedReply[] replies)
    {
        var harness = AgentTestHarness.Create(
            b => b.AddTool(steps.Run, o =>
            {
                o.Name = "book";
                o.PermissionClass = "travel.book";
                o.SideEffect = SideEffectClass.ReversibleWrite;
                o.Compensate = steps.Undo;
                o.CompensationDescription = "Cancels the booking.";
                o.CompensationMaxAttempts = 3;
            })
            .AddTool((string to) => to, o =>
            {
                o.Name = "notify";
                o.PermissionClass = "travel.book";
                o.SideEffect = SideEffectClass.Irreversible;
            })
            .ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("book", "notify"))),
            replies);
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "travel.book");
        return harness;
    }

    private static ScriptedReply Book(string step) => ScriptedReply.CallTool("book", new { step });

    [Test]
    public async Task An_effect_whose_tool_lost_its_compensation_across_a_restart_is_reported_as_not_undone()
    {
        // A booking runs, a payment waits for approval; the host is redeployed with the booking tool declared irreversible
        // (no compensation any more), and the approval expires. Recovery must report the booking as not undone, not crash on the missing compensation.
        var approvals = new InMemoryApprovalStore();
        var steps = new Steps();
        ApprovalRequirement supervisor = new() { ApproverRoles = ["supervisor"], ExpiresAfter = TimeSpan.FromHours(1) };
        AgentTestHarness Host(bool compensable, params ScriptedReply[] replies)
        {
            var harness = AgentTestHarness.Create(
                b =>
                {
                    b.AddTool(steps.Run, o =>
                    {
                        o.Name = "book";
                        o.PermissionClass = "travel.book";
                        o.SideEffect = compensable ? SideEffectClass.ReversibleWrite : SideEffectClass.Irreversible;
                        o.Compensate = compensable ? steps.Undo : null;
                    })
                    .AddTool((decimal amount) => amount, o => { o.Name = "pay"; o.PermissionClass = "travel.book"; o.SideEffect = SideEffectClass.Irreversible; })
                    .ConfigurePolicy(p =>
                    {
                        p.Rules.Add(new PolicyRule { Id = "pay-needs-approval", Outcome = PolicyOutcome.RequireApproval, Tools = ["pay"], Approval = supervisor });
                        p.Rules.Add(ToolTestKit.Allow("book"));
                    });
                    b.Services.AddSingleton<IApprovalStore>(approvals);
                },
                replies);
            harness.DefaultIdentity = ToolTestKit.Identity("u1", "travel.book");
            return harness;
        }

        AgentResult paused;
        await using (var before = Host(compensable: true, Book("flight"), ScriptedReply.CallTool("pay", new { amount = 300 })))
        {
            paused = await before.RunAsync("Book and pay", "book", "pay");
        }

        await using var after = Host(compensable: false);
        after.Time.Advance(TimeSpan.FromHours(2));
        var result = await after.Runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = paused.PendingApproval!.ApprovalId,
            TenantId = paused.TenantId!,
            Approver = new ActorIdentity { Id = "sup-1", Roles = ["supervisor"] },
            Verdict = ApprovalVerdict.Approve,
        });

        Assert.Multiple(() =>
        {
            Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval));
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial), result.Error?.Message);
            Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.PartialSideEffect));
            Assert.That(steps.Compensations, Is.Empty);
            Assert.That(result.Uncertainty, Has.Some.Contains("booking:flight"), "the booking is reported as remaining");
            var record = after.Evidence.OfKind(result.RequestId, "tool.compensation").Single();
            Assert.That(record.Decision, Is.EqualTo("not_compensable"));
            Assert.That(record.Attributes["detail"], Is.EqualTo("the tool, as registered now, has no compensation"));
        });
    }

    [Test]
    public async Task A_compensation_gets_the_credential_of_its_tool_and_the_secret_stays_out_of_the_result()
    {
        // Undoing a booking calls the same authenticated API as making it.
        const string secret = "bk-7f3e-very-secret";
        var seen = new List<string?>();
        await using var harness = AuthenticatedBookingThenFailure(
            request =>
            {
                seen.Add(request.Credential?.Reveal());
                return new CompensationResult { Succeeded = false, Detail = "refused with key " + request.Credential?.Reveal() };
            },
            new ARuntime.Sdk.Secrets.InMemorySecretResolver().Set("bookings-api", secret));

        var result = await harness.RunAsync("Plan the trip", "book", "fail");

        var record = harness.Evidence.OfKind(result.RequestId, "tool.compensation").Single();
        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.Not.Empty);
            Assert.That(seen, Is.All.EqualTo(secret), "every attempt got the credential");
            Assert.That(record.Attributes["detail"], Does.Not.Contain(secret), "what the compensation said is redacted");
        });
    }

    [Test]
    public async Task A_credential_that_cannot_be_resolved_at_recovery_leaves_the_effect_not_undone()
    {
        // The vault answers for the booking and is unreachable by the time it must be undone.
        var compensations = 0;
        await using var harness = AuthenticatedBookingThenFailure(_ => { compensations++; return CompensationResult.Done; }, new OneShotResolver());

        var result = await harness.RunAsync("Plan the trip", "book", "fail");

        var record = harness.Evidence.OfKind(result.RequestId, "tool.compensation").Single();
        Assert.Multiple(() =>
        {
            Assert.That(compensations, Is.Zero, "nothing is undone without the credential");
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.Uncertainty, Has.Some.Contains("booking:flight"));
            Assert.That(record.Decision, Is.EqualTo("compensation_failed"));
            Assert.That(record.Attributes["detail"], Is.EqualTo("the credential 'bookings-api' could not be resolved"));
        });
    }

    /// <summary>A booking against an authenticated API ("bookings-api"), then a step that fails, so the booking is undone.</summary>
    private static AgentTestHarness AuthenticatedBookingThenFailure(Func<ToolCompensationRequest, CompensationResult> compensate, ARuntime.Sdk.Secrets.ISecretResolver secrets)
    {
        var harness = AgentTestHarness.Create(
            b => b.AddTool((string step) => ToolResult.Success(System.Text.Json.JsonSerializer.SerializeToElement("booked " + step), "booking:" + step), o =>
                {
                    o.Name = "book";
                    o.PermissionClass = "travel.book";
                    o.SideEffect = SideEffectClass.ReversibleWrite;
                    o.AuthReference = "bookings-api";
                    o.Compensate = (request, _) => ValueTask.FromResult(compensate(request));
                })
                .AddTool((string step) => ToolResult.Failure("the supplier rejected the booking"), o => { o.Name = "fail"; o.PermissionClass = "travel.book"; o.SideEffect = SideEffectClass.Irreversible; })
                .UseSecretResolver(secrets)
                .ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("book", "fail"))),
            Book("flight"),
            ScriptedReply.CallTool("fail", new { step = "pay" }));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "travel.book");
        return harness;
    }

    /// <summary>Resolves a credential once, then its backend is unreachable.</summary>
    private sealed class OneShotResolver : ARuntime.Sdk.Secrets.ISecretResolver
    {
        private int resolved;

        public ValueTask<ARuntime.Sdk.Secrets.SecretValue> ResolveAsync(ARuntime.Sdk.Secrets.SecretRequest request, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref resolved) == 1
                ? ValueTask.FromResult(new ARuntime.Sdk.Secrets.SecretValue(request.Reference, "bk-once"))
                : throw new IOException("vault unreachable");
    }

    [Test]
    public async Task When_a_later_step_fails_earlier_effects_are_compensated_in_reverse_order()
    {
        var steps = new Steps();
        await using var harness = Harness(steps, Book("flight"), Book("hotel"), Book("car"), Book("fail"));
        var result = await harness.RunAsync("Plan the trip", "book");

        Assert.That(steps.Applied, Is.EqualTo(new[] { "flight", "hotel", "car" }));
        Assert.That(steps.Compensations.Select(c => c.Step), Is.EqualTo(new[] { "car", "hotel", "flight" }));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed), "every effect was undone: a clean failure, not partial state");
        Assert.That(result.Error?.Message, Does.Contain("compensated"));
        Assert.That(result.Qualifications, Has.Some.Contains("3 side effect(s) of this request were undone"));
        Assert.That(result.ToolCalls.Count(c => c.Outcome == ToolCallOutcome.Compensated), Is.EqualTo(3));
        var records = harness.Evidence.OfKind(result.RequestId, "tool.compensation");
        Assert.That(records.Select(r => r.Attributes["changed_resources"]), Is.EqualTo(new[] { "booking:car", "booking:hotel", "booking:flight" }));
        Assert.That(records.Select(r => r.Decision), Is.All.EqualTo("compensated"));
    }

    [Test]
    public async Task A_failed_compensation_does_not_stop_the_others_and_partial_state_is_reported()
    {
        var steps = new Steps { CompensationOutcome = (step, _) => step == "hotel" ? new CompensationResult { Succeeded = false, Detail = "hotel refuses cancellation" } : CompensationResult.Done };
        await using var harness = Harness(steps, Book("flight"), Book("hotel"), Book("car"), Book("fail"));
        var result = await harness.RunAsync("Plan the trip", "book");

        Assert.That(steps.Compensations.Select(c => c.Step).Distinct(), Is.EqualTo(new[] { "car", "hotel", "flight" }));
        Assert.That(steps.Compensations.Count(c => c.Step == "hotel"), Is.EqualTo(3), "retried up to its attempt limit");
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.PartialSideEffect));
        Assert.That(result.Uncertainty, Has.Some.Contains("booking:hotel"));
        Assert.That(result.Uncertainty, Has.None.Contains("booking:car"));
        var hotel = harness.Evidence.OfKind(result.RequestId, "tool.compensation").Single(r => r.Attributes["changed_resources"] == "booking:hotel");
        Assert.That(hotel.Decision, Is.EqualTo("compensation_failed"));
        Assert.That(hotel.Attributes["detail"], Is.EqualTo("hotel refuses cancellation"));
    }

    [Test]
    public async Task A_compensation_that_throws_its_own_cancellation_is_a_failed_attempt_and_does_not_stop_the_others()
    {
        // HttpClient reports its own timeout as TaskCanceledException; the request was not cancelled.
        var steps = new Steps { CompensationOutcome = (step, _) => step == "hotel" ? throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.") : CompensationResult.Done };
        await using var harness = Harness(steps, Book("flight"), Book("hotel"), Book("car"), Book("fail"));
        var result = await harness.RunAsync("Plan the trip", "book");

        Assert.That(steps.Compensations.Select(c => c.Step).Distinct(), Is.EqualTo(new[] { "car", "hotel", "flight" }), "the flight is still cancelled");
        Assert.That(steps.Compensations.Count(c => c.Step == "hotel"), Is.EqualTo(3), "retried up to its attempt limit");
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.PartialSideEffect));
        Assert.That(result.Uncertainty, Has.Some.Contains("booking:hotel"));
        var hotel = harness.Evidence.OfKind(result.RequestId, "tool.compensation").Single(r => r.Attributes["changed_resources"] == "booking:hotel");
        Assert.That(hotel.Decision, Is.EqualTo("compensation_failed"));
    }

    [Test]
    public async Task Every_attempt_of_a_compensation_carries_the_same_operation_key_so_it_can_be_idempotent()
    {
        var steps = new Steps { CompensationOutcome = (_, attempt) => attempt < 2 ? throw new TimeoutException("supplier slow") : CompensationResult.Done };
        await using var harness = Harness(steps, Book("flight"), Book("fail"));
        var result = await harness.RunAsync("Plan the trip", "book");

        Assert.That(steps.Compensations.Select(c => c.Attempt), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(steps.Compensations.Select(c => c.OperationKey).Distinct().Count(), Is.EqualTo(1));
        Assert.That(steps.Compensations[0].OperationKey, Is.EqualTo(result.ToolCalls.First(c => c.ToolName == "book").OperationKey));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
    }

    [Test]
    public async Task An_irreversible_effect_cannot_be_compensated_and_is_reported_as_remaining()
    {
        var steps = new Steps();
        await using var harness = Harness(steps, ScriptedReply.CallTool("notify", new { to = "guest@example.com" }), Book("flight"), Book("fail"));
        var result = await harness.RunAsync("Plan the trip", "book", "notify");

        Assert.That(steps.Compensations.Select(c => c.Step), Is.EqualTo(new[] { "flight" }));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
        Assert.That(result.Uncertainty, Has.Some.Contains("notify:"));
        var notify = harness.Evidence.OfKind(result.RequestId, "tool.compensation").Single(r => r.Attributes["tool.name"] == "notify");
        Assert.That(notify.Decision, Is.EqualTo("not_compensable"));
    }

    [Test]
    public async Task The_saga_step_is_registered_and_recorded_durably_before_the_effect()
    {
        var steps = new Steps();
        AgentTestHarness? h = null;
        var recordedBeforeEffect = false;
        ToolResult Observe(string step, ToolInvocation invocation)
        {
            recordedBeforeEffect = h!.Evidence.WithDurability(invocation.RequestId)
                .Any(r => r.Record.Kind == "tool.started" && r.Record.Attributes["operation.key"] == invocation.OperationKey && r.Durability == Evidence.EvidenceDurability.Durable);
            return steps.Run(step, invocation);
        }

        await using var harness = h = AgentTestHarness.Create(
            b => b.AddTool(Observe, o =>
            {
                o.Name = "book";
                o.PermissionClass = "travel.book";
                o.SideEffect = SideEffectClass.ReversibleWrite;
                o.Compensate = steps.Undo;
            }).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("book"))),
            Book("flight"),
            ScriptedReply.Answer("Booked."));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "travel.book");
        var result = await harness.RunAsync("Book", "book");

        Assert.That(recordedBeforeEffect, Is.True);
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(steps.Compensations, Is.Empty, "a request that completes keeps its effects");
    }

    [Test]
    public async Task A_cancelled_request_compensates_what_it_did()
    {
        var steps = new Steps();
        using var cts = new CancellationTokenSource();
        await using var harness = Harness(steps, Book("flight"), ScriptedReply.Hang());
        var run = harness.Runtime.RunAsync(harness.NewRequest("Plan", "book"), cts.Token);
        await harness.Engine.WhenCalledAsync(2);
        await cts.CancelAsync();
        var result = await run;

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Cancelled));
        Assert.That(steps.Compensations.Select(c => c.Step), Is.EqualTo(new[] { "flight" }));
    }

    [Test]
    public async Task An_effect_of_unknown_outcome_is_checked_with_the_status_query_before_anything_is_undone()
    {
        var system = new SystemOfRecord();
        var undone = new List<string>();
        AgentTestHarness? h = null;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<string> Hold(string seat, CancellationToken ct)
        {
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, h!.Time, ct);
            return seat;
        }

        await using var harness = h = AgentTestHarness.Create(
            b => b.AddTool(Hold, o =>
            {
                o.Name = "hold";
                o.PermissionClass = "travel.book";
                o.SideEffect = SideEffectClass.ReversibleWrite;
                o.Timeout = TimeSpan.FromSeconds(1);
                o.Compensate = (r, _) => { undone.Add(r.OperationKey); return ValueTask.FromResult(CompensationResult.Done); };
                o.QueryStatus = (q, _) => ValueTask.FromResult(system.Status(q.OperationKey));
            }).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("hold"))),
            ScriptedReply.CallTool("hold", new { seat = "1A" }));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "travel.book");
        var run = harness.RunAsync("Hold", "hold");
        await started.Task;
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var result = await run;

        // The timeout's status query found nothing: no effect, nothing to undo, a plain failure.
        Assert.That(undone, Is.Empty);
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.ToolTimeout));
    }
}
