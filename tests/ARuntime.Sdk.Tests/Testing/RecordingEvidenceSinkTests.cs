using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Testing;

public sealed class RecordingEvidenceSinkTests
{
    [Test]
    public async Task Queries_are_scoped_to_one_tenant()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("a"), ScriptedReply.Answer("b"));
        var mine = await harness.Runtime.RunAsync(Requests.Valid());
        await harness.Runtime.RunAsync(Requests.Valid() with { Identity = Requests.Valid().Identity with { TenantId = "tenant-b" } });

        var records = new List<EvidenceRecord>();
        await foreach (var record in harness.Evidence.QueryAsync(new EvidenceQuery { TenantId = "tenant-a" }))
        {
            records.Add(record);
        }

        Assert.Multiple(() =>
        {
            Assert.That(records, Is.Not.Empty);
            Assert.That(records.Select(r => r.TenantId), Is.All.EqualTo("tenant-a"));
            Assert.That(records.Select(r => r.RequestId), Is.All.EqualTo(mine.RequestId));
        });
    }

    [Test]
    public async Task A_simulated_outage_of_a_record_the_runtime_must_persist_fails_the_request_closed()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(tools.Register, ScriptedReply.CallTool("refund_order", new { orderId = "A-1", amount = 5 }), ScriptedReply.Answer("refunded"));
        harness.Evidence.FailWhen = (_, durability) => durability == EvidenceDurability.Durable;

        var result = await harness.Runtime.RunAsync(Requests.Valid("refund", "refund_order"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.EvidenceUnavailable));
            Assert.That(tools.Refunds, Is.Empty, "no side effect without its durable authorization record");
            Assert.That(harness.Evidence.FailedWrites, Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task An_outage_of_ordinary_records_lets_the_request_continue_marked_degraded()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("fine"));
        var failed = 0;
        harness.Evidence.FailWhen = (record, durability) => durability == EvidenceDurability.Acknowledged && record.Stage == LifecycleStage.RiskClassification && failed++ == 0;

        var result = await harness.Runtime.RunAsync(Requests.Valid());

        var records = harness.Evidence.ForRequest(result.RequestId);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.EvidenceDegraded, Is.True);
            Assert.That(records.Any(r => r.Stage == LifecycleStage.RiskClassification && r.Kind == EvidenceKinds.Stage), Is.True, "the buffered record was reconciled");
            Assert.That(records.Single(r => r.Kind == EvidenceKinds.Gap).Decision, Is.EqualTo("reconciled"));
            Assert.That(records.Where(r => r.Stage > LifecycleStage.RiskClassification).Select(r => r.Flags), Is.All.Contains(EvidenceFlags.Degraded));
        });
    }
}
