using ARuntime.Sdk.Admission;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// Process crash mid-request, within one process: the journal and evidence a previous process left behind are found on the
/// first use of the runtime, and the request is reported interrupted with its evidence — never silently lost. (The
/// multi-process version, with a real process killed mid-request, is in ARuntime.Sdk.IntegrationTests.)
/// </summary>
public sealed class InterruptedRequestTests
{
    private const string RequestId = "req_left_running";

    private static EvidenceRecord Record(int sequence, LifecycleStage stage, string kind, DateTimeOffset at, params (string Key, string Value)[] attributes) => new()
    {
        RecordId = "ev_" + sequence,
        RequestId = RequestId,
        TenantId = FailureTestKit.Tenant,
        Sequence = sequence,
        Stage = stage,
        Kind = kind,
        Outcome = StageOutcome.Completed,
        Timestamp = at,
        Attributes = attributes.ToDictionary(a => a.Key, a => a.Value),
    };

    [Test]
    public async Task RequestLeftRunningByAStoppedProcess_IsReportedInterruptedWithItsEvidence()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("unused"));
        var now = harness.Time.GetUtcNow();
        var retry = FailureTestKit.Request("Pay inv-1.") with { IdempotencyKey = "pay-inv-1" };

        // What the stopped process left: a running journal entry, its records up to a side effect that started, and its idempotency claim.
        await harness.Services.GetRequiredService<IRequestJournal>().UpsertAsync(new RequestJournalEntry
        {
            RequestId = RequestId,
            TenantId = FailureTestKit.Tenant,
            ActorId = "user-test",
            State = RequestState.Running,
            Stage = LifecycleStage.Admission,
            IdempotencyKey = "pay-inv-1",
            StartedAt = now.AddMinutes(-5),
            UpdatedAt = now.AddMinutes(-5),
        });
        await harness.Services.GetRequiredService<IIdempotencyStore>().TryClaimAsync(FailureTestKit.Tenant, "pay-inv-1", RequestValidator.Digest(retry), RequestId, now.AddDays(1));
        foreach (var record in new[]
        {
            Record(1, LifecycleStage.Admission, EvidenceKinds.Stage, now.AddMinutes(-5)),
            Record(2, LifecycleStage.Authorization, EvidenceKinds.PolicyDecision, now.AddMinutes(-4), ("call.id", "call-1")),
            Record(3, LifecycleStage.ToolExecution, EvidenceKinds.ToolStarted, now.AddMinutes(-4), ("call.id", "call-1"), ("operation.key", "op-pay-1")),
        })
        {
            await harness.Evidence.WriteAsync(record, EvidenceDurability.Durable);
        }

        var status = await harness.Runtime.GetStatusAsync(FailureTestKit.Tenant, RequestId);
        var duplicate = await harness.Runtime.RunAsync(retry);

        var interrupted = harness.Evidence.OfKind(RequestId, EvidenceKinds.Interrupted).Single();
        Assert.Multiple(() =>
        {
            Assert.That(status!.State, Is.EqualTo(RequestState.Interrupted));
            Assert.That(status.FinalStatus, Is.EqualTo(AgentRunStatus.Interrupted));
            Assert.That(status.Stage, Is.EqualTo(LifecycleStage.ToolExecution), "the evidence says how far it got");
            Assert.That(interrupted.ReasonCodes, Is.EqualTo(new[] { "process.stopped", "operation.in_doubt" }));
            Assert.That(interrupted.Attributes["in_doubt_operations"], Is.EqualTo("op-pay-1"));
            Assert.That(interrupted.Attributes["records"], Is.EqualTo("3"));
            Assert.That(interrupted.Attributes["last.stage"], Is.EqualTo("ToolExecution"));
            Assert.That(harness.Evidence.ForRequest(RequestId), Has.Count.EqualTo(4), "the earlier records are kept with it");
            Assert.That(duplicate.Status, Is.EqualTo(AgentRunStatus.Interrupted), "a retry under the key gets the interrupted result, not 'in progress' forever");
            Assert.That(duplicate.Uncertainty, Has.Some.Contains("op-pay-1"));
            Assert.That(harness.Engine.CallCount, Is.Zero, "nothing ran again");
        });
    }

    [Test]
    public async Task RecoveryRunsOnce_AndFinishedRequestsAreLeftAlone()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("a"), ScriptedReply.Answer("b"));
        var journal = harness.Services.GetRequiredService<IRequestJournal>();
        var now = harness.Time.GetUtcNow();
        await journal.UpsertAsync(new RequestJournalEntry { RequestId = "req_done", TenantId = FailureTestKit.Tenant, ActorId = "u", State = RequestState.Finished, FinalStatus = AgentRunStatus.Completed, StartedAt = now, UpdatedAt = now });

        var first = await harness.Runtime.RunAsync(FailureTestKit.Request("One."));
        var second = await harness.Runtime.RunAsync(FailureTestKit.Request("Two."));
        var status = await harness.Runtime.GetStatusAsync(FailureTestKit.Tenant, first.RequestId);

        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(second.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(harness.Evidence.Records.Where(r => r.Kind == EvidenceKinds.Interrupted), Is.Empty);
            Assert.That(status!.State, Is.EqualTo(RequestState.Finished));
        });
    }

    [Test]
    public async Task RecoveryThatFails_NeverMakesTheRuntimeUnusable()
    {
        await using var harness = AgentTestHarness.Create(
            b => b.Services.RemoveAll<IRequestJournal>().AddSingleton<IRequestJournal>(new UnreadableJournal()),
            ScriptedReply.Answer("still serving"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello."));

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
    }

    /// <summary>A journal whose store cannot be read at start-up (for example a store-specific exception type).</summary>
    private sealed class UnreadableJournal : IRequestJournal
    {
        private readonly InMemoryRequestJournal inner = new();

        public ValueTask UpsertAsync(RequestJournalEntry entry, CancellationToken cancellationToken = default) => inner.UpsertAsync(entry, cancellationToken);

        public ValueTask<RequestJournalEntry?> GetAsync(string tenantId, string requestId, CancellationToken cancellationToken = default) => inner.GetAsync(tenantId, requestId, cancellationToken);

        public IAsyncEnumerable<RequestJournalEntry> ListRunningAsync(CancellationToken cancellationToken = default) => throw new StoreUnreadableException();
    }

    private sealed class StoreUnreadableException : Exception;
}
