using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;
using ARuntime.Sdk.Tools;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Tools;

public sealed class ToolExecutionTests
{
    private static void Read(ToolOptions o, string name)
    {
        o.Name = name;
        o.PermissionClass = "data.read";
        o.SideEffect = SideEffectClass.Read;
    }

    private static AgentTestHarness Harness(Action<ARuntimeBuilder> configure, params ScriptedReply[] replies)
    {
        var harness = AgentTestHarness.Create(configure, replies);
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "data.read", "data.write");
        return harness;
    }

    [Test]
    public async Task A_valid_result_reaches_the_model_and_the_answer_completes()
    {
        await using var harness = Harness(
            b => b.AddTool((string sku) => new { sku, stock = 7 }, o => Read(o, "stock")),
            ScriptedReply.CallTool("stock", new { sku = "X-1" }),
            ScriptedReply.Answer("7 in stock."));
        var result = await harness.RunAsync("How many X-1?", "stock");
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(ToolTestKit.Call(result, "stock").Outcome, Is.EqualTo(ToolCallOutcome.Succeeded));
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("\"stock\":7"));
    }

    [Test]
    public async Task A_result_violating_the_output_schema_is_a_failure_not_an_answer()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"stock":{"type":"integer","minimum":0}},"required":["stock"]}""").RootElement.Clone();
        await using var harness = Harness(
            b => b.AddTool((string sku) => new { stock = -3 }, o => { Read(o, "stock"); o.OutputSchema = schema; }),
            ScriptedReply.CallTool("stock", new { sku = "X-1" }),
            ScriptedReply.Answer("I could not check the stock."));
        var result = await harness.RunAsync("How many X-1?", "stock");

        var call = ToolTestKit.Call(result, "stock");
        Assert.That(call.Outcome, Is.EqualTo(ToolCallOutcome.Failed));
        Assert.That(call.ReasonCodes, Does.Contain("tool.result_invalid"));
        var prompt = ToolTestKit.Prompt(harness, 1);
        Assert.That(prompt, Does.Contain("\"status\":\"failed\""));
        Assert.That(prompt, Does.Not.Contain("-3"), "the invalid result must not reach the model");
    }

    private sealed class NoNegativeStock : IToolResultValidator
    {
        public ValueTask<IReadOnlyList<string>> ValidateAsync(ToolDescriptor tool, ToolCall toolCall, ToolResult result, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>(result.Output is { } o && o.GetProperty("stock").GetInt32() < 0 ? ["stock cannot be negative"] : []);
    }

    [Test]
    public async Task A_host_domain_validator_turns_an_unexpected_result_into_a_failure()
    {
        await using var harness = Harness(
            b => b.AddTool((string sku) => new { stock = -3 }, o => Read(o, "stock")).AddToolResultValidator(new NoNegativeStock()),
            ScriptedReply.CallTool("stock", new { sku = "X-1" }),
            ScriptedReply.Answer("Unknown."));
        var result = await harness.RunAsync("How many X-1?", "stock");
        Assert.That(ToolTestKit.Call(result, "stock").Outcome, Is.EqualTo(ToolCallOutcome.Failed));
        Assert.That(ToolTestKit.Call(result, "stock").Explanation, Does.Contain("stock cannot be negative"));
    }

    [Test]
    public async Task A_tool_that_exceeds_its_timeout_is_cancelled_and_the_model_is_told()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false;
        AgentTestHarness? h = null;
        async Task<string> Slow(string q, CancellationToken ct)
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, h!.Time, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }

            return q;
        }

        await using var harness = h = Harness(
            b => b.AddTool(Slow, o => { Read(o, "slow"); o.Timeout = TimeSpan.FromSeconds(5); }),
            ScriptedReply.CallTool("slow", new { q = "x" }),
            ScriptedReply.Answer("It timed out."));
        var run = harness.RunAsync("Go", "slow");
        await started.Task;
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        var result = await run;

        Assert.That(cancelled, Is.True);
        Assert.That(ToolTestKit.Call(result, "slow").Outcome, Is.EqualTo(ToolCallOutcome.TimedOut));
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("\"status\":\"timeout\""));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), "a read that timed out is reported to the model; the request goes on");
    }

    [Test]
    public async Task A_tool_that_ignores_cancellation_is_abandoned_one_timeout_after_its_timeout_and_holds_its_slot_until_it_ends()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var invocations = 0;
        async Task<string> Stuck(string q)
        {
            // Like a client call made without the token: cancellation never reaches it.
            Interlocked.Increment(ref invocations);
            started.TrySetResult();
            await release.Task;
            return q;
        }

        await using var harness = Harness(
            b => b.AddTool(Stuck, o => { Read(o, "stuck"); o.Timeout = TimeSpan.FromSeconds(5); o.MaxConcurrency = 1; }),
            ScriptedReply.CallTool("stuck", new { q = "x" }),
            ScriptedReply.Answer("It did not answer."),
            ScriptedReply.CallTool("stuck", new { q = "y" }),
            ScriptedReply.Answer("Done."));
        var run = harness.RunAsync("Go", "stuck");
        await started.Task;
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(run.IsCompleted, Is.False, "the tool is first told to stop and given its timeout to do so");
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        // Bounded so that a tool that is never abandoned fails the test instead of hanging it.
        var result = await run.WaitAsync(TimeSpan.FromMinutes(1));

        var call = ToolTestKit.Call(result, "stuck");
        Assert.That(call.Outcome, Is.EqualTo(ToolCallOutcome.TimedOut));
        Assert.That(call.ReasonCodes, Does.Contain("tool.abandoned"));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("\"status\":\"timeout\""));

        // The abandoned invocation still runs, so it keeps the tool's only slot until it ends; then the next call runs.
        var limiter = ((ToolRegistry)harness.Services.GetRequiredService<IToolRegistry>()).GetLimiter("stuck")!;
        Assert.That(limiter.CurrentCount, Is.Zero);
        release.SetResult();
        var second = await harness.RunAsync("Go again", "stuck").WaitAsync(TimeSpan.FromMinutes(1));
        Assert.That(ToolTestKit.Call(second, "stuck").Outcome, Is.EqualTo(ToolCallOutcome.Succeeded));
        Assert.That(invocations, Is.EqualTo(2));
    }

    [Test]
    public async Task A_tool_that_ignores_cancellation_when_the_request_ends_is_abandoned_within_half_the_grace_period()
    {
        // A long tool timeout (an hour) must not hold a request whose deadline passed: the tool is told to stop and, ignoring
        // it, is abandoned after half of the 30 s termination grace period, leaving the other half to recovery.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<string> Stuck(string q)
        {
            started.TrySetResult();
            await release.Task;
            return q;
        }

        await using var harness = Harness(
            b => b.AddTool(Stuck, o => { Read(o, "stuck"); o.Timeout = TimeSpan.FromHours(1); }),
            ScriptedReply.CallTool("stuck", new { q = "x" }),
            ScriptedReply.Answer("never"));
        var run = harness.Runtime.RunAsync(harness.NewRequest("Go", "stuck") with { Deadline = harness.Time.GetUtcNow().AddSeconds(10) });
        await started.Task;

        // Timers are armed on other threads as the request winds down; a request held for the tool's hour runs out of steps.
        var advanced = await harness.Time.AdvanceUntilDoneAsync(run, TimeSpan.FromSeconds(1));

        Assert.That(run.IsCompleted, Is.True, "the request ended within a minute of fake time, not the tool's hour");
        var result = await run;
        release.SetResult();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.TimedOut));
            Assert.That(advanced, Is.LessThanOrEqualTo(10 + 15 + 5), "deadline, then at most half the grace period for the tool");
        });
    }

    [Test]
    public async Task A_throwing_tool_is_isolated_and_its_message_never_reaches_the_model()
    {
        await using var harness = Harness(
            b => b.AddTool(string (string q) => throw new InvalidOperationException("db password is hunter2"), o => Read(o, "boom")),
            ScriptedReply.CallTool("boom", new { q = "x" }),
            ScriptedReply.Answer("The tool failed."));
        var result = await harness.RunAsync("Go", "boom");

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        var call = ToolTestKit.Call(result, "boom");
        Assert.That(call.Outcome, Is.EqualTo(ToolCallOutcome.Failed));
        Assert.That(call.ReasonCodes, Does.Contain("tool.exception:InvalidOperationException"));
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Not.Contain("hunter2"));
        Assert.That(ToolTestKit.EvidenceJson(harness, result.RequestId), Does.Not.Contain("hunter2"));
    }

    [Test]
    public async Task Caller_cancellation_reaches_a_running_tool_and_ends_the_request_cancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = false;
        AgentTestHarness? h = null;
        async Task<string> Wait(string q, CancellationToken ct)
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, h!.Time, ct);
            }
            catch (OperationCanceledException)
            {
                observed = true;
                throw;
            }

            return q;
        }

        await using var harness = h = Harness(b => b.AddTool(Wait, o => Read(o, "wait")), ScriptedReply.CallTool("wait", new { q = "x" }));
        using var cts = new CancellationTokenSource();
        var run = harness.Runtime.RunAsync(harness.NewRequest("Go", "wait"), cts.Token);
        await started.Task;
        await cts.CancelAsync();
        var result = await run;

        Assert.That(observed, Is.True);
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Cancelled));
    }

    [Test]
    public async Task The_concurrency_limit_holds_across_concurrent_requests()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int current = 0, max = 0, started = 0;
        async Task<string> Book(string slot, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref max, now);
            if (Interlocked.Increment(ref started) == 1)
            {
                await gate.Task.WaitAsync(ct);
            }

            Interlocked.Decrement(ref current);
            return slot;
        }

        await using var harness = Harness(
            b => b.AddTool(Book, o =>
            {
                o.Name = "book";
                o.PermissionClass = "data.write";
                o.SideEffect = SideEffectClass.Irreversible;
                o.MaxConcurrency = 1;
            }).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("book"))),
            ScriptedReply.CallTool("book", new { slot = "a" }),
            ScriptedReply.CallTool("book", new { slot = "b" }),
            ScriptedReply.Answer("done"),
            ScriptedReply.Answer("done"));

        // Both calls have been authorized and recorded as started (durably, just before the limiter) before the first may finish.
        var startedRecords = 0;
        harness.Evidence.FailWhen = (record, _) =>
        {
            if (record.Kind == "tool.started" && Interlocked.Increment(ref startedRecords) == 2)
            {
                bothWaiting.TrySetResult();
            }

            return false;
        };

        var first = harness.RunAsync("Book a", "book");
        var second = harness.RunAsync("Book b", "book");
        await bothWaiting.Task;
        gate.SetResult();
        var results = await Task.WhenAll(first, second);

        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(AgentRunStatus.Completed));
        Assert.That(started, Is.EqualTo(2));
        Assert.That(max, Is.EqualTo(1));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Test]
    public async Task An_idempotent_tool_is_retried_within_its_policy_and_the_retry_budget()
    {
        var attempts = new List<int>();
        ToolResult Flaky(string q, ToolInvocation invocation)
        {
            attempts.Add(invocation.Attempt);
            return invocation.Attempt < 3 ? ToolResult.Failure("busy") : ToolResult.Success(JsonSerializer.SerializeToElement(q));
        }

        await using var harness = Harness(
            b => b.AddTool(Flaky, o => { Read(o, "flaky"); o.Retry = new ToolRetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.Zero }; }),
            ScriptedReply.CallTool("flaky", new { q = "x" }),
            ScriptedReply.Answer("ok"));
        var result = await harness.RunAsync("Go", "flaky");

        Assert.That(attempts, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(ToolTestKit.Call(result, "flaky").Outcome, Is.EqualTo(ToolCallOutcome.Succeeded));
        Assert.That(result.Usage.Retries, Is.EqualTo(2));
    }

    [Test]
    public async Task Retries_stop_when_the_request_retry_budget_is_spent()
    {
        var attempts = 0;
        ToolResult Flaky(string q)
        {
            attempts++;
            return ToolResult.Failure("busy");
        }

        await using var harness = Harness(
            b => b.AddTool(Flaky, o => { Read(o, "flaky"); o.Retry = new ToolRetryPolicy { MaxAttempts = 5, InitialBackoff = TimeSpan.Zero }; }),
            ScriptedReply.CallTool("flaky", new { q = "x" }),
            ScriptedReply.Answer("no"));
        var request = harness.NewRequest("Go", "flaky") with { Budget = new Budget { MaxRetries = 1 } };
        var result = await harness.Runtime.RunAsync(request);

        Assert.That(attempts, Is.EqualTo(2));
        Assert.That(ToolTestKit.Call(result, "flaky").Outcome, Is.EqualTo(ToolCallOutcome.Failed));
    }

    [Test]
    public async Task A_side_effect_that_failed_is_never_retried_without_idempotency_or_a_status_query()
    {
        var attempts = 0;
        ToolResult Pay(decimal amount)
        {
            attempts++;
            return ToolResult.Failure("declined");
        }

        await using var harness = Harness(
            b => b.AddTool(Pay, o => { o.Name = "pay"; o.PermissionClass = "data.write"; o.SideEffect = SideEffectClass.Irreversible; })
                .ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("pay"))),
            ScriptedReply.CallTool("pay", new { amount = 10 }));
        var result = await harness.RunAsync("Pay", "pay");
        Assert.That(attempts, Is.EqualTo(1));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
    }

    [Test]
    public async Task A_side_effect_that_throws_has_an_unknown_outcome_and_is_not_retried()
    {
        var system = new SystemOfRecord();
        var attempts = 0;
        string Send(string to, ToolInvocation invocation)
        {
            attempts++;
            system.Apply(invocation.OperationKey);
            throw new IOException("connection reset after sending");
        }

        await using var harness = Harness(
            b => b.AddTool(Send, o =>
            {
                o.Name = "send";
                o.PermissionClass = "data.write";
                o.SideEffect = SideEffectClass.Irreversible;
            }).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("send"))),
            ScriptedReply.CallTool("send", new { to = "a@example.com" }));
        var result = await harness.RunAsync("Send", "send");

        Assert.That(attempts, Is.EqualTo(1));
        Assert.That(ToolTestKit.Call(result, "send").ReasonCodes, Does.Contain("tool.outcome_unknown"));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial), "an effect that may have happened and cannot be undone is partial state");
        Assert.That(result.Uncertainty, Has.Some.Contains("unknown"));
    }

    [Test]
    public async Task An_argument_the_parameter_cannot_take_fails_the_call_before_it_runs_and_leaves_nothing_in_doubt()
    {
        // 2.0 is an integer to JSON Schema (the call passes planning) but System.Text.Json cannot bind it to an int.
        var attempts = 0;
        string Charge(string orderId, int cents)
        {
            attempts++;
            return "charged";
        }

        await using var harness = Harness(
            b => b.AddTool(Charge, o => { o.Name = "charge"; o.PermissionClass = "data.write"; o.SideEffect = SideEffectClass.Irreversible; })
                .ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("charge"))),
            ScriptedReply.Raw("""{"tool":"charge","arguments":{"orderId":"A-1","cents":250.0}}"""));
        var result = await harness.RunAsync("Charge A-1", "charge");

        var call = ToolTestKit.Call(result, "charge");
        Assert.That(attempts, Is.Zero);
        Assert.That(call.Outcome, Is.EqualTo(ToolCallOutcome.Failed));
        Assert.That(call.ReasonCodes, Does.Not.Contain("tool.outcome_unknown"));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed), "nothing ran, so nothing is partial");
        Assert.That(result.Uncertainty, Has.None.Contains("took effect is unknown"));

        // The start was forgotten: the same operation is not blocked as in doubt.
        var ledger = harness.Services.GetRequiredService<IOperationLedger>();
        var claim = await ledger.TryStartAsync(result.TenantId!, call.OperationKey!, "charge", "req_other");
        Assert.That(claim.Status, Is.EqualTo(OperationClaimStatus.Started));
    }

    [Test]
    public async Task After_a_timeout_the_status_query_decides_and_a_ruled_out_effect_is_retried()
    {
        var system = new SystemOfRecord();
        var attempts = 0;
        AgentTestHarness? h = null;
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<string> Transfer(decimal amount, ToolInvocation invocation, CancellationToken ct)
        {
            if (++attempts == 1)
            {
                firstStarted.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, h!.Time, ct);
            }

            system.Apply(invocation.OperationKey);
            return "ok";
        }

        await using var harness = h = Harness(
            b => b.AddTool(Transfer, o =>
            {
                o.Name = "transfer";
                o.PermissionClass = "data.write";
                o.SideEffect = SideEffectClass.Irreversible;
                o.Timeout = TimeSpan.FromSeconds(2);
                o.Retry = new ToolRetryPolicy { MaxAttempts = 2, RetryOnTimeout = true, InitialBackoff = TimeSpan.Zero };
                o.QueryStatus = (q, _) => ValueTask.FromResult(system.Status(q.OperationKey));
            }).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("transfer"))),
            ScriptedReply.CallTool("transfer", new { amount = 5 }),
            ScriptedReply.Answer("Transferred."));
        var run = harness.RunAsync("Transfer", "transfer");
        await firstStarted.Task;
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var result = await run;

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(attempts, Is.EqualTo(2));
        Assert.That(system.Executions, Is.EqualTo(1));
        Assert.That(ToolTestKit.Call(result, "transfer").ReasonCodes, Does.Contain("operation.reconciled_not_found").And.Contain("tool.retried"));
    }

    [Test]
    public async Task After_a_timeout_a_status_query_reporting_success_returns_that_result_without_a_retry()
    {
        var system = new SystemOfRecord();
        var attempts = 0;
        AgentTestHarness? h = null;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<string> Transfer(decimal amount, ToolInvocation invocation, CancellationToken ct)
        {
            attempts++;
            system.Apply(invocation.OperationKey);
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, h!.Time, ct);
            return "never";
        }

        await using var harness = h = Harness(
            b => b.AddTool(Transfer, o =>
            {
                o.Name = "transfer";
                o.PermissionClass = "data.write";
                o.SideEffect = SideEffectClass.Irreversible;
                o.Timeout = TimeSpan.FromSeconds(2);
                o.Retry = new ToolRetryPolicy { MaxAttempts = 3, RetryOnTimeout = true };
                o.QueryStatus = (q, _) => ValueTask.FromResult(system.Status(q.OperationKey));
            }).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("transfer"))),
            ScriptedReply.CallTool("transfer", new { amount = 5 }),
            ScriptedReply.Answer("Transferred."));
        var run = harness.RunAsync("Transfer", "transfer");
        await started.Task;
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var result = await run;

        Assert.That(attempts, Is.EqualTo(1));
        Assert.That(ToolTestKit.Call(result, "transfer").Outcome, Is.EqualTo(ToolCallOutcome.Succeeded));
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("done:"));
    }

    [Test]
    public async Task A_call_with_arguments_violating_the_input_schema_never_runs_and_repairs_are_bounded_and_recorded()
    {
        var runs = 0;
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool((int quantity) => ++runs, o => Read(o, "count")),
            o => o.Inference.MaxRepairAttempts = 2,
            ScriptedReply.CallTool("count", new { quantity = "many" }),
            ScriptedReply.CallTool("count", new { quantity = "lots" }),
            ScriptedReply.Malformed());
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "data.read");
        var result = await harness.RunAsync("Count", "count");

        Assert.That(runs, Is.Zero);
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
        Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.InvalidModelOutput));
        var repairs = harness.Evidence.OfKind(result.RequestId, "output.repair");
        Assert.That(repairs.Select(r => r.Attributes["attempt"]), Is.EqualTo(new[] { "1", "2", "3" }));
        Assert.That(repairs.Select(r => r.Decision), Is.EqualTo(new[] { "regenerate", "regenerate", "give_up" }));
        Assert.That(repairs[0].Attributes["errors"], Does.Contain("quantity"));
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("quantity"), "the model is shown what was wrong");
    }
}
