using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// The "trace persistence failure" row: detected by the evidence write status; evidence-required work fails closed, other
/// work continues marked degraded; records are buffered within a bounded limit and reconciled later, with a gap record
/// saying what was delayed or lost.
/// </summary>
public sealed class TracePersistenceFailureTests
{
    private static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(30);

    [Test]
    public async Task OutageDuringOrdinaryWork_ContinuesDegraded_AndIsReconciledWithAGapRecordWhenTheStoreRecovers()
    {
        var outage = true;
        await using var harness = AgentTestHarness.Create(null, o => o.Evidence.ReconcileInterval = ReconcileInterval, ScriptedReply.Answer("hello"));
        harness.Evidence.FailWhen = (_, _) => outage;

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello."));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), "work that needs no durable evidence continues");
            Assert.That(result.Answer, Is.EqualTo("hello"));
            Assert.That(result.EvidenceDegraded, Is.True);
            Assert.That(result.Qualifications, Has.Some.Contains("will be written when the evidence store recovers"));
            Assert.That(harness.Evidence.ForRequest(result.RequestId), Is.Empty, "nothing reached the store yet");
        });

        // The store recovers after the request returned: the backlog is written on the next reconciliation tick.
        outage = false;
        var buffer = harness.Services.GetRequiredService<EvidenceBuffer>();
        harness.Time.Advance(ReconcileInterval);
        await buffer.LastBackgroundDrain;

        var stored = harness.Evidence.ForRequest(result.RequestId);
        var gap = stored.Single(r => r.Kind == EvidenceKinds.Gap);
        Assert.Multiple(() =>
        {
            Assert.That(buffer.BacklogCount, Is.Zero);
            Assert.That(stored.Count(r => r.Sequence > 0), Is.EqualTo(result.EvidenceRecordCount), "every record of the request reached the store");
            Assert.That(stored.Where(r => r.Sequence > 0).Select(r => r.Sequence), Is.Ordered, "in the order they were written");
            Assert.That(gap.Decision, Is.EqualTo("reconciled"));
            Assert.That(gap.Attributes["buffered"], Is.EqualTo(result.EvidenceRecordCount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(gap.Attributes["reconciled"], Is.EqualTo(gap.Attributes["buffered"]));
            Assert.That(gap.Attributes["dropped"], Is.EqualTo("0"));
            Assert.That(gap.Flags, Does.Contain(EvidenceFlags.Degraded));
            Assert.That(stored.Where(r => r.Sequence > 1).Select(r => r.Flags), Has.All.Contains(EvidenceFlags.Degraded), "records written after the failure say the request ran degraded");
        });
    }

    [Test]
    public async Task OutageBeforeASideEffect_FailsClosed_AndTheToolNeverRuns()
    {
        var writes = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(
                (string id) =>
                {
                    writes.Increment();
                    return new { id };
                },
                o =>
                {
                    o.Name = "update";
                    o.PermissionClass = "kit.write";
                    o.SideEffect = SideEffectClass.ReversibleWrite;
                    o.Compensate = (_, _) => ValueTask.FromResult(new CompensationResult { Succeeded = true });
                }),
            ScriptedReply.CallTool("update", new { id = "r-1" }),
            ScriptedReply.Answer("updated"));
        harness.Evidence.FailWhen = (_, durability) => durability == EvidenceDurability.Durable;

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Update r-1.", "update"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.EvidenceUnavailable));
            Assert.That(writes.Value, Is.Zero, "no side effect without durable evidence of its authorization");
            Assert.That(result.EvidenceDegraded, Is.True);
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.Incident), Is.Empty, "the incident record is durable too: it waits in the backlog");
        });

        harness.Evidence.FailWhen = null;
        await harness.Services.GetRequiredService<EvidenceBuffer>().FlushAsync();
        var incident = harness.Evidence.Kind(result, EvidenceKinds.Incident).Single();
        Assert.Multiple(() =>
        {
            Assert.That(incident.Attributes["failure.kind"], Is.EqualTo(nameof(FailureKind.TracePersistenceFailure)));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Authorization).ReasonCodes, Does.Contain("evidence.required_write_failed"));
            Assert.That(harness.Evidence.WithDurability(result.RequestId).Single(r => r.Record.Kind == EvidenceKinds.PolicyDecision).Durability, Is.EqualTo(EvidenceDurability.Durable), "a record keeps its durability when it is reconciled");
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.Gap).Single().Decision, Is.EqualTo("reconciled"));
        });
    }

    [Test]
    public async Task BacklogIsBounded_RecordsBeyondTheLimitAreNamedLostInTheGapRecord()
    {
        await using var harness = AgentTestHarness.Create(null, o =>
        {
            o.Evidence.MaxBufferedRecords = 3;
            o.Evidence.ReconcileInterval = ReconcileInterval;
        }, ScriptedReply.Answer("hello"));
        harness.Evidence.FailWhen = (_, _) => true;

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello."));
        harness.Evidence.FailWhen = null;
        var buffer = harness.Services.GetRequiredService<EvidenceBuffer>();
        harness.Time.Advance(ReconcileInterval);
        await buffer.LastBackgroundDrain;

        var stored = harness.Evidence.ForRequest(result.RequestId);
        var gap = stored.Single(r => r.Kind == EvidenceKinds.Gap);
        var lost = result.EvidenceRecordCount - 3;
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(stored.Count(r => r.Sequence > 0), Is.EqualTo(3), "only the bounded backlog survived");
            Assert.That(stored.Where(r => r.Sequence > 0).Select(r => r.Sequence), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(gap.Decision, Is.EqualTo("records_lost"));
            Assert.That(gap.Outcome, Is.EqualTo(StageOutcome.Failed));
            Assert.That(gap.Attributes["dropped"], Is.EqualTo(lost.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(gap.Attributes["dropped_sequences"], Does.StartWith("4,5,"));
            Assert.That(buffer.DroppedTotal, Is.EqualTo(lost));
        });
    }

    [Test]
    public async Task StoreRecoversMidRequest_BufferedRecordsAreWrittenFirst_InSequence()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("hello"));

        // The store fails for its first three write attempts (the first record, then two attempts to write it again).
        var failures = 3;
        harness.Evidence.FailWhen = (_, _) => failures-- > 0;

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello."));

        var stored = harness.Evidence.ForRequest(result.RequestId);
        var sequenced = stored.Where(r => r.Sequence > 0).Select(r => r.Sequence).ToList();
        var gapIndex = stored.ToList().FindIndex(r => r.Kind == EvidenceKinds.Gap);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.EvidenceDegraded, Is.True);
            Assert.That(sequenced, Is.EqualTo(Enumerable.Range(1, result.EvidenceRecordCount)), "nothing lost, nothing out of order");
            Assert.That(stored[gapIndex].Attributes["buffered"], Is.EqualTo("3"));
            Assert.That(stored[gapIndex - 1].Stage, Is.EqualTo(LifecycleStage.RiskClassification), "the gap record follows the records it reconciled");
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.EvidencePersistence).Outcome, Is.EqualTo(StageOutcome.Degraded));
        });
    }

    [Test]
    public async Task FlushFailure_IsReportedNotDurable()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("hello"));
        harness.Evidence.FailFlush = true;

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello."));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.EvidenceDegraded, Is.True);
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.EvidencePersistence).Decision, Is.EqualTo("not_durable"));
        });
    }

    [Test]
    public void TheRuntimesServiceProvider_CanBeDisposedSynchronously()
    {
        var services = new ServiceCollection();
        services.AddARuntime().AddEngine("scripted", new ScriptedInferenceEngine(ScriptedReply.Answer("x"))).UseInMemoryEvidence();
        var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IAgentRuntime>();

        Assert.That(provider.Dispose, Throws.Nothing, "the evidence buffer supports synchronous disposal as well as asynchronous");
    }
}
