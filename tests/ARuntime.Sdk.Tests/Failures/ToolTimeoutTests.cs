using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// The "tool timeout" row: detected by the tool's deadline and its operation status; the caller sees a pending, failed or
/// partial result; a call is retried only when idempotent or when its operation status can be queried; the operation key
/// and the observed side effects are in evidence.
/// </summary>
public sealed class ToolTimeoutTests
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(5);

    private static AgentTool HangsOnceThenAnswers(string name, SideEffectClass sideEffect, Counter calls, Signal entered, Action<ToolOptions> configure) => AgentToolFactory.Create(
        async (string key, ToolInvocation invocation, CancellationToken cancellationToken) =>
        {
            calls.Increment();
            entered.Enter();
            if (invocation.Attempt == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }

            return key;
        },
        o =>
        {
            o.Name = name;
            o.PermissionClass = sideEffect > SideEffectClass.Read ? "kit.write" : "kit.read";
            o.SideEffect = sideEffect;
            o.Timeout = ToolTimeout;
            configure(o);
        });

    [Test]
    public async Task IdempotentTool_TimedOut_IsRetried()
    {
        var calls = new Counter();
        var entered = new Signal();
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(HangsOnceThenAnswers("fetch", SideEffectClass.Read, calls, entered, o =>
            {
                o.Idempotency = ToolIdempotency.Natural;
                o.Retry = new ToolRetryPolicy { MaxAttempts = 2, RetryOnTimeout = true, InitialBackoff = TimeSpan.Zero };
            })),
            ScriptedReply.CallTool("fetch", new { key = "a" }),
            ScriptedReply.Answer("fetched"));

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Fetch a.", "fetch"));
        await entered.WhenEnteredAsync(1);
        harness.Time.Advance(ToolTimeout);
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(calls.Value, Is.EqualTo(2));
            Assert.That(result.ToolCalls.Single().ReasonCodes, Does.Contain("tool.retried"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.ToolCall).Single().Attributes["attempts"], Is.EqualTo("2"));
            Assert.That(result.Usage.Retries, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task SideEffectingTool_TimedOutWithoutStatusQuery_IsNotRetried_AndReportedWithItsOperationKey()
    {
        var calls = new Counter();
        var entered = new Signal();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(HangsOnceThenAnswers("transfer", SideEffectClass.ReversibleWrite, calls, entered,
                o => o.Compensate = (_, _) => ValueTask.FromResult(CompensationResult.Done))),
            ScriptedReply.CallTool("transfer", new { key = "t-1" }),
            ScriptedReply.Answer("transferred"));

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Transfer t-1.", "transfer"));
        await entered.WhenEnteredAsync(1);
        harness.Time.Advance(ToolTimeout);
        var result = await run;

        var record = harness.Evidence.Kind(result, EvidenceKinds.ToolCall).Single();
        Assert.Multiple(() =>
        {
            Assert.That(calls.Value, Is.EqualTo(1), "not idempotent and no status query: never blindly repeated (a retry policy is refused at registration)");
            Assert.That(result.Status, Is.AnyOf(AgentRunStatus.Partial, AgentRunStatus.Failed));
            Assert.That(result.Answer, Is.Null);
            Assert.That(result.ToolCalls.Single().ReasonCodes, Does.Contain("tool.timeout"));
            Assert.That(record.Outcome, Is.EqualTo(StageOutcome.TimedOut));
            Assert.That(record.Attributes["operation.key"], Is.Not.Empty.And.EqualTo(result.ToolCalls.Single().OperationKey));
        });
    }

    [Test]
    public async Task SideEffectingTool_TimedOutWithStatusQuery_IsReconciledFromTheSystemOfRecord()
    {
        var calls = new Counter();
        var entered = new Signal();
        var queries = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(HangsOnceThenAnswers("transfer", SideEffectClass.ReversibleWrite, calls, entered, o =>
            {
                o.Compensate = (_, _) => ValueTask.FromResult(CompensationResult.Done);
                o.QueryStatus = (_, _) =>
                {
                    queries.Increment();
                    return ValueTask.FromResult(new ToolOperationStatus { State = OperationState.Succeeded, Result = ToolResult.Success(FailureTestKit.Json("\"t-1\""), "account:t-1") });
                };
            })),
            ScriptedReply.CallTool("transfer", new { key = "t-1" }),
            ScriptedReply.Answer("transferred"));

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Transfer t-1.", "transfer"));
        await entered.WhenEnteredAsync(1);
        harness.Time.Advance(ToolTimeout);
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(calls.Value, Is.EqualTo(1), "the system of record said it happened: it is not repeated");
            Assert.That(queries.Value, Is.GreaterThanOrEqualTo(1));
            Assert.That(result.ToolCalls.Single().ReasonCodes, Does.Contain("operation.reconciled_succeeded"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.ToolCall).Single().Attributes["changed_resources"], Is.EqualTo("account:t-1"));
        });
    }
}
