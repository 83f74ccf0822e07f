using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// The "duplicate execution" row: detected by the idempotency record; the caller gets the prior result or a conflict; an
/// irreversible effect is never repeated; the original and duplicate request identifiers are in evidence.
/// </summary>
public sealed class DuplicateExecutionTests
{
    private static AgentTool Pay(Counter payments) => AgentToolFactory.Create(
        (string invoice) =>
        {
            payments.Increment();
            return ToolResult.Success(JsonSerializer.SerializeToElement(new { invoice }), "invoice:" + invoice);
        },
        o =>
        {
            o.Name = "pay";
            o.PermissionClass = "kit.write";
            o.SideEffect = SideEffectClass.Irreversible;
        });

    [Test]
    public async Task SameIdempotencyKey_ReturnsThePriorResult_AndNothingRunsTwice()
    {
        var payments = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Pay(payments)),
            ScriptedReply.CallTool("pay", new { invoice = "inv-9" }),
            ScriptedReply.Answer("paid"));
        var request = FailureTestKit.Request("Pay inv-9.", "pay") with { IdempotencyKey = "pay-inv-9" };

        var original = await harness.Runtime.RunAsync(request);
        var duplicate = await harness.Runtime.RunAsync(request);

        var admissions = harness.Evidence.Records.Where(r => r.Kind == "stage" && r.Stage == LifecycleStage.Admission).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(original.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(duplicate, Is.EqualTo(original), "the duplicate receives the original result");
            Assert.That(payments.Value, Is.EqualTo(1));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2), "the duplicate never reached the model");
            Assert.That(admissions, Has.Count.EqualTo(2));
            Assert.That(admissions[1].RequestId, Is.Not.EqualTo(original.RequestId), "the duplicate has its own identifier in evidence");
            Assert.That(admissions[1].ReasonCodes, Does.Contain("idempotency.replayed"));
            Assert.That(admissions[1].Attributes["original.requestId"], Is.EqualTo(original.RequestId));
        });
    }

    [Test]
    public async Task SameKeyWithDifferentContent_IsAConflict()
    {
        var payments = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Pay(payments)),
            ScriptedReply.CallTool("pay", new { invoice = "inv-9" }),
            ScriptedReply.Answer("paid"));

        await harness.Runtime.RunAsync(FailureTestKit.Request("Pay inv-9.", "pay") with { IdempotencyKey = "k-1" });
        var conflict = await harness.Runtime.RunAsync(FailureTestKit.Request("Pay inv-10.", "pay") with { IdempotencyKey = "k-1" });

        Assert.Multiple(() =>
        {
            Assert.That(conflict.Status, Is.EqualTo(AgentRunStatus.Conflict));
            Assert.That(conflict.Error!.Code, Is.EqualTo(AgentErrorCodes.IdempotencyConflict));
            Assert.That(payments.Value, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task SameKeyWhileTheOriginalRuns_IsAnInProgressConflict()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Hang());
        using var cts = new CancellationTokenSource();
        var request = FailureTestKit.Request("Slow.") with { IdempotencyKey = "k-2" };

        var original = harness.Runtime.RunAsync(request, cts.Token);
        await harness.Engine.WhenCalledAsync(1);
        var duplicate = await harness.Runtime.RunAsync(request);
        await cts.CancelAsync();
        await original;

        Assert.Multiple(() =>
        {
            Assert.That(duplicate.Status, Is.EqualTo(AgentRunStatus.Conflict));
            Assert.That(duplicate.Error!.Code, Is.EqualTo(AgentErrorCodes.IdempotencyInProgress));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task TheSameOperationProposedTwice_RunsOnce()
    {
        var payments = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Pay(payments)),
            ScriptedReply.CallTool("pay", new { invoice = "inv-9" }),
            ScriptedReply.CallTool("pay", new { invoice = "inv-9" }),
            ScriptedReply.Answer("paid"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Pay inv-9.", "pay"));

        Assert.Multiple(() =>
        {
            Assert.That(payments.Value, Is.EqualTo(1), "an irreversible effect is never repeated");
            Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.EqualTo(new[] { ToolCallOutcome.Succeeded, ToolCallOutcome.Deduplicated }));
            Assert.That(result.ToolCalls[0].OperationKey, Is.EqualTo(result.ToolCalls[1].OperationKey));
        });
    }
}
