using System.Text.Json;
using System.Text.RegularExpressions;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Responses;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Lifecycle;

/// <summary>
/// Stage 12's replaceable policy: host response finalizers review every answer before it leaves the runtime, in order; a
/// revision is recorded; a finalizer that fails, or breaks the output contract, withholds the answer (fail closed).
/// </summary>
public sealed partial class ResponseFinalizationTests
{
    [Test]
    public async Task A_finalizer_revises_the_answer_and_the_revision_is_recorded()
    {
        await using var harness = AgentTestHarness.Create(
            b => b.AddResponseFinalizer(new EmailMasker()),
            ScriptedReply.Answer("Write to alice@example.com for a refund."));

        var result = await harness.Runtime.RunAsync(Requests.Valid());
        var record = harness.Evidence.StageRecords(result.RequestId).Single(r => r.Stage == LifecycleStage.ResponseFinalization);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Answer, Is.EqualTo("Write to [email] for a refund."));
            Assert.That(result.Qualifications, Does.Contain("An e-mail address in the answer was masked."));
            Assert.That(record.Attributes["revised_by"], Is.EqualTo("email-masker"));
            Assert.That(record.ReasonCodes, Does.Contain("response.revised:email-masker").And.Contain("pii.masked"));
            Assert.That(record.Payloads.Single(p => p.Name == "answer").Length, Is.EqualTo("Write to [email] for a refund.".Length), "the evidence digests the answer that left");
        });
    }

    [Test]
    public async Task Finalizers_run_in_order_each_on_the_previous_answer()
    {
        var seen = new List<string>();
        await using var harness = AgentTestHarness.Create(
            b => b.AddResponseFinalizer(new Appender("first", " [1]", seen)).AddResponseFinalizer(new Appender("second", " [2]", seen)),
            ScriptedReply.Answer("Shipped."));

        var result = await harness.Runtime.RunAsync(Requests.Valid());

        Assert.Multiple(() =>
        {
            Assert.That(result.Answer, Is.EqualTo("Shipped. [1] [2]"));
            Assert.That(seen, Is.EqualTo(new[] { "Shipped.", "Shipped. [1]" }));
        });
    }

    [Test]
    public async Task A_finalizer_that_fails_withholds_the_answer()
    {
        await using var harness = AgentTestHarness.Create(
            b => b.AddResponseFinalizer(new Throwing()),
            ScriptedReply.Answer("Write to alice@example.com."));

        var result = await harness.Runtime.RunAsync(Requests.Valid());
        var record = harness.Evidence.StageRecords(result.RequestId).Single(r => r.Stage == LifecycleStage.ResponseFinalization);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.ResponseFinalizationFailed));
            Assert.That(result.Error?.Message, Does.Contain("throwing").And.Contain(nameof(InvalidOperationException)));
            Assert.That(result.Answer, Is.Null, "without the finalizer's review the answer does not leave the runtime");
            Assert.That(record.Outcome, Is.EqualTo(StageOutcome.Failed));
            Assert.That(record.Payloads.Where(p => p.Name == "answer"), Is.Empty);
            Assert.That(harness.Evidence.OfKind(result.RequestId, EvidenceKinds.Incident), Is.Not.Empty);
        });
    }

    [Test]
    public async Task A_structured_answer_stays_within_the_output_contract()
    {
        var contract = OutputContract.FromJson("""{"type":"object","properties":{"total":{"type":"integer"}},"required":["total"],"additionalProperties":false}""", "count");
        await using var valid = AgentTestHarness.Create(b => b.AddResponseFinalizer(new Replacer("""{"total":4}""")), ScriptedReply.StructuredAnswer(new { total = 3 }));
        await using var invalid = AgentTestHarness.Create(b => b.AddResponseFinalizer(new Replacer("""{"total":"four"}""")), ScriptedReply.StructuredAnswer(new { total = 3 }));

        var revised = await valid.Runtime.RunAsync(Requests.Valid() with { Output = contract });
        var refused = await invalid.Runtime.RunAsync(Requests.Valid() with { Output = contract });

        Assert.Multiple(() =>
        {
            Assert.That(revised.Status, Is.EqualTo(AgentRunStatus.Completed), revised.Error?.Message);
            Assert.That(revised.StructuredAnswer?.GetProperty("total").GetInt32(), Is.EqualTo(4));
            Assert.That(refused.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(refused.Error?.Code, Is.EqualTo(AgentErrorCodes.ResponseFinalizationFailed));
            Assert.That(refused.StructuredAnswer, Is.Null);
            Assert.That(refused.Answer, Is.Null);
        });
    }

    [Test]
    public async Task Finalizers_see_only_answers_that_leave_the_runtime()
    {
        var seen = new List<string>();
        await using var harness = AgentTestHarness.Create(b => b.AddResponseFinalizer(new Appender("spy", "", seen)), ScriptedReply.Refusal());

        var result = await harness.Runtime.RunAsync(Requests.Valid());

        Assert.That(result.Status, Is.Not.EqualTo(AgentRunStatus.Completed));
        Assert.That(seen, Is.Empty, "a request without an answer has nothing to finalize");
    }

    private sealed partial class EmailMasker : IResponseFinalizer
    {
        public string Name => "email-masker";

        public ValueTask<ResponseRevision?> FinalizeAsync(ResponseDraft draft, CancellationToken cancellationToken = default)
        {
            var masked = Email().Replace(draft.Answer, "[email]");
            return ValueTask.FromResult<ResponseRevision?>(masked == draft.Answer
                ? null
                : new ResponseRevision { Answer = masked, Qualifications = ["An e-mail address in the answer was masked."], ReasonCode = "pii.masked" });
        }

        [GeneratedRegex(@"[\w.+-]+@[\w-]+\.[\w.]+")]
        private static partial Regex Email();
    }

    private sealed class Appender(string name, string suffix, List<string> seen) : IResponseFinalizer
    {
        public string Name => name;

        public ValueTask<ResponseRevision?> FinalizeAsync(ResponseDraft draft, CancellationToken cancellationToken = default)
        {
            seen.Add(draft.Answer);
            return ValueTask.FromResult<ResponseRevision?>(new ResponseRevision { Answer = draft.Answer + suffix });
        }
    }

    private sealed class Replacer(string json) : IResponseFinalizer
    {
        public string Name => "replacer";

        public ValueTask<ResponseRevision?> FinalizeAsync(ResponseDraft draft, CancellationToken cancellationToken = default)
        {
            Assert.That(draft.StructuredAnswer?.ValueKind, Is.EqualTo(JsonValueKind.Object), "a structured answer is shown to the finalizer");
            return ValueTask.FromResult<ResponseRevision?>(new ResponseRevision { Answer = json });
        }
    }

    private sealed class Throwing : IResponseFinalizer
    {
        public string Name => "throwing";

        public ValueTask<ResponseRevision?> FinalizeAsync(ResponseDraft draft, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the PII service is down");
    }
}
