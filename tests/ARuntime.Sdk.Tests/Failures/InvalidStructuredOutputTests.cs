using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// The "invalid structured output" row: detected by schema or domain validation; no tool side effect follows from invalid
/// output; the model is asked to repair or regenerate a bounded number of times; the validation errors and the retry
/// strategy are in evidence.
/// </summary>
public sealed class InvalidStructuredOutputTests
{
    private static AgentTool Charge(Counter charges) => AgentToolFactory.Create(
        (decimal amount) =>
        {
            charges.Increment();
            return new { charged = amount };
        },
        o =>
        {
            o.Name = "charge";
            o.PermissionClass = "kit.write";
            o.SideEffect = SideEffectClass.Irreversible;
        });

    [Test]
    public async Task MalformedOutput_IsRegeneratedWithinBounds()
    {
        var charges = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Charge(charges)),
            ScriptedReply.Malformed(),
            ScriptedReply.Answer("No charge was needed."));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Charge if needed.", "charge"));

        var repair = harness.Evidence.Kind(result, EvidenceKinds.OutputRepair).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Usage.Retries, Is.EqualTo(1));
            Assert.That(repair.Decision, Is.EqualTo("regenerate"));
            Assert.That(repair.Attributes["attempt"], Is.EqualTo("1"));
            Assert.That(harness.Engine.Requests[1].Messages[^1].Content, Does.StartWith("[runtime] Your previous reply could not be used"));
            Assert.That(charges.Value, Is.Zero);
        });
    }

    [Test]
    public async Task ArgumentsStillInvalidAfterBoundedRepairs_FailWithNoSideEffect()
    {
        var charges = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Charge(charges)),
            ScriptedReply.CallTool("charge", new { amount = "lots" }),
            ScriptedReply.CallTool("charge", new { amount = "more" }),
            ScriptedReply.CallTool("charge", new { amount = "all of it" }));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Charge the customer.", "charge"));

        var repairs = harness.Evidence.Kind(result, EvidenceKinds.OutputRepair);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.InvalidModelOutput));
            Assert.That(charges.Value, Is.Zero, "invalid output never causes a side effect");
            Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.All.EqualTo(ToolCallOutcome.Invalid));
            Assert.That(repairs.Select(r => r.Decision), Is.EqualTo(new[] { "regenerate", "regenerate", "give_up" }));
            Assert.That(repairs[0].Attributes["errors"], Does.Contain("charge:"));
            Assert.That(repairs[0].Attributes["max_attempts"], Is.EqualTo("2"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.Incident).Single().Attributes["failure.kind"], Is.EqualTo(nameof(FailureKind.InvalidStructuredOutput)));
        });
    }

    [Test]
    public async Task AnswerViolatingTheOutputContract_IsRegeneratedUntilValid()
    {
        await using var harness = AgentTestHarness.Create(null,
            ScriptedReply.StructuredAnswer(new { total = "three" }),
            ScriptedReply.StructuredAnswer(new { total = 3 }));
        var request = FailureTestKit.Request("Count them.") with
        {
            Output = OutputContract.FromJson("""{"type":"object","properties":{"total":{"type":"integer"}},"required":["total"],"additionalProperties":false}""", "count"),
        };

        var result = await harness.Runtime.RunAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.StructuredAnswer!.Value.GetProperty("total").GetInt32(), Is.EqualTo(3));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.OutputRepair).Single().ReasonCodes, Does.Contain("output.invalid"));
        });
    }
}
