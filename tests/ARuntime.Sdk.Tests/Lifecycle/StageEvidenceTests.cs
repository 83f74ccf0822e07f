using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Protocol;
using ARuntime.Sdk.Telemetry;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Lifecycle;

/// <summary>
/// One test per lifecycle stage: the stage wrote its correlated evidence record, in its place in the lifecycle order,
/// with what that stage decided.
/// </summary>
public sealed class StageEvidenceTests
{
    private static IEnumerable<LifecycleStage> AllStages => Enum.GetValues<LifecycleStage>();

    private const string PolicyVersion = "policy/audit-3";

    private static async Task<(AgentResult Result, IReadOnlyList<EvidenceRecord> Records, AgentTestHarness Harness)> RunCanonicalRequestAsync(OutputContract? output = null)
    {
        var tools = new SampleTools();
        var harness = AgentTestHarness.Create(
            b =>
            {
                tools.Register(b);
                b.AddContextSource(new StaticContextSource("kb", new ContextItem { Id = "doc-1", Content = "Refunds within 30 days.", TenantId = "tenant-a", UpdatedAt = DateTimeOffset.UnixEpoch }));
            },
            o =>
            {
                o.ApplicationRelease = "app/9.9";
                o.Policy.Version = PolicyVersion;
            },
            ScriptedReply.CallTool("lookup_order", new { orderId = "A-1" }),
            output is null ? ScriptedReply.Answer("Order A-1 was delivered.") : ScriptedReply.StructuredAnswer(new { status = "delivered" }));
        var request = Requests.Valid("Where is A-1?", "lookup_order") with
        {
            Context = [new ContextRequest { Source = "kb" }],
            Trace = new TraceContext { TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", SpanId = "00f067aa0ba902b7" },
            CorrelationId = "corr-42",
            Output = output,
        };
        var result = await harness.Runtime.RunAsync(request);
        return (result, harness.Evidence.ForRequest(result.RequestId), harness);
    }

    [TestCaseSource(nameof(AllStages))]
    public async Task Each_stage_writes_a_correlated_record_in_lifecycle_order(LifecycleStage stage)
    {
        var (result, records, harness) = await RunCanonicalRequestAsync();
        await using var _ = harness;
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));

        var stageRecords = records.Where(r => r.Kind == EvidenceKinds.Stage).ToList();
        var mine = stageRecords.Where(r => r.Stage == stage).ToList();
        Assert.That(mine, Is.Not.Empty, $"{stage} wrote no stage record");

        var first = mine[0];
        Assert.Multiple(() =>
        {
            Assert.That(first.RequestId, Is.EqualTo(result.RequestId));
            Assert.That(first.TenantId, Is.EqualTo("tenant-a"));
            Assert.That(first.ActorId, Is.EqualTo("alice"));
            Assert.That(first.CorrelationId, Is.EqualTo("corr-42"));
            Assert.That(first.TraceId, Is.EqualTo("4bf92f3577b34da6a3ce929d0e0e4736"), "records join the caller's trace");
            Assert.That(TraceContext.IsValidSpanId(first.SpanId), Is.True);
            Assert.That(first.Versions.Runtime, Is.Not.Empty);
            Assert.That(first.Versions.Application, Is.EqualTo("app/9.9"));
            Assert.That(first.ContractVersion, Is.EqualTo(ContractVersions.Current));
        });

        // Position: the first record of a stage comes after the first record of every earlier stage; a stage's records
        // never precede the previous stage's first record.
        var firstIndexOf = Enum.GetValues<LifecycleStage>().ToDictionary(s => s, s => stageRecords.FindIndex(r => r.Stage == s));
        foreach (var earlier in Enum.GetValues<LifecycleStage>().Where(s => s < stage))
        {
            Assert.That(firstIndexOf[earlier], Is.LessThan(firstIndexOf[stage]), $"{earlier} must come before {stage}");
        }

        // Sequence numbers are the write order.
        Assert.That(records.Select(r => r.Sequence), Is.Ordered.Ascending);
        Assert.That(records.Select(r => r.Sequence).Distinct().Count(), Is.EqualTo(records.Count));
        AssertStageSpecific(stage, mine, records);
    }

    [Test]
    public async Task Every_record_carries_the_versions_in_force_when_it_was_written()
    {
        var (result, records, harness) = await RunCanonicalRequestAsync();
        await using var _ = harness;
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        var stageRecords = records.Where(r => r.Kind == EvidenceKinds.Stage).ToList();
        Assert.That(stageRecords.Select(r => r.Stage).Distinct(), Is.EquivalentTo(AllStages), "a tool-call request reaches every stage");
        var promptTemplate = PromptBuilder.TemplateVersion + "+" + harness.Engine.Metadata.PromptTemplate;

        Assert.Multiple(() =>
        {
            // Set when the request starts: the runtime, the host application and the policy in force; no output contract, no schema.
            foreach (var record in records)
            {
                var where = $"#{record.Sequence} {record.Stage} {record.Kind}";
                Assert.That(record.Versions.Runtime, Is.EqualTo(ARuntimeDiagnostics.RuntimeVersion), where);
                Assert.That(record.Versions.Application, Is.EqualTo("app/9.9"), where);
                Assert.That(record.Versions.Policy, Is.EqualTo(PolicyVersion), where);
                Assert.That(record.Versions.Schema, Is.Null, where + ": the request has no output contract");
            }

            // Set as the lifecycle learns them: the retrieval index at context assembly, the model and engine at route
            // selection, the prompt template at the first inference; a stage record never names a tool.
            foreach (var record in stageRecords)
            {
                var where = $"#{record.Sequence} {record.Stage}";
                Assert.That(record.Versions.RetrievalIndex, record.Stage >= LifecycleStage.ContextAssembly ? Is.EqualTo("kb@kb-7") : Is.Null, where);
                Assert.That(record.Versions.Model, record.Stage >= LifecycleStage.ModelRouteSelection ? Is.EqualTo("scripted-model@1") : Is.Null, where);
                Assert.That(record.Versions.Engine, record.Stage >= LifecycleStage.ModelRouteSelection ? Is.EqualTo("scripted/1.0") : Is.Null, where);
                Assert.That(record.Versions.PromptTemplate, record.Stage >= LifecycleStage.Inference ? Is.EqualTo(promptTemplate) : Is.Null, where);
                Assert.That(record.Versions.Tool, Is.Null, where);
            }
        });
    }

    [Test]
    public async Task With_an_output_contract_every_record_carries_its_schema_version()
    {
        var output = OutputContract.FromJson("""{"type":"object","properties":{"status":{"type":"string"}},"required":["status"]}""") with { SchemaVersion = "order-status/2" };

        var (result, records, harness) = await RunCanonicalRequestAsync(output);
        await using var _ = harness;

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), () => result.Error?.Message ?? string.Empty);
        Assert.That(records.Select(r => r.Stage).Distinct(), Is.EquivalentTo(AllStages));
        Assert.Multiple(() =>
        {
            foreach (var record in records)
            {
                var where = $"#{record.Sequence} {record.Stage} {record.Kind}";
                Assert.That(record.Versions.Schema, Is.EqualTo("order-status/2"), where);
                Assert.That(record.Versions.Policy, Is.EqualTo(PolicyVersion), where);
            }
        });
    }

    private static void AssertStageSpecific(LifecycleStage stage, List<EvidenceRecord> mine, IReadOnlyList<EvidenceRecord> all)
    {
        var first = mine[0];
        switch (stage)
        {
            case LifecycleStage.Admission:
                Assert.That(first.Decision, Is.EqualTo("admitted"));
                break;
            case LifecycleStage.AuthorityResolution:
                Assert.That(first.Decision, Is.EqualTo("tools=lookup_order"));
                break;
            case LifecycleStage.RiskClassification:
                Assert.That(first.Decision, Is.EqualTo("risk=Low"));
                break;
            case LifecycleStage.ContextAssembly:
                Assert.That(first.Decision, Is.EqualTo("items=1"));
                Assert.That(all.Any(r => r.Kind == EvidenceKinds.ContextSource && r.Attributes["source"] == "kb"), Is.True);
                break;
            case LifecycleStage.ModelRouteSelection:
                Assert.That(first.Decision, Is.EqualTo("route=" + AgentTestHarness.DeploymentName));
                break;
            case LifecycleStage.Inference:
                Assert.That(mine, Has.Count.EqualTo(2), "one inference per model turn");
                Assert.That(first.Versions.Model, Is.EqualTo("scripted-model@1"));
                Assert.That(first.Versions.Engine, Is.EqualTo("scripted/1.0"));
                Assert.That(first.Versions.RetrievalIndex, Is.EqualTo("kb@kb-7"));
                Assert.That(first.Payloads.Select(p => p.Name), Is.EquivalentTo(new[] { "prompt", "completion" }));
                Assert.That(all.Count(r => r.Kind == EvidenceKinds.InferenceAttempt), Is.EqualTo(2));
                break;
            case LifecycleStage.ToolPlanning:
                Assert.That(first.Decision, Is.EqualTo("calls=lookup_order"));
                break;
            case LifecycleStage.Authorization:
                Assert.That(first.Outcome, Is.EqualTo(StageOutcome.Completed));
                Assert.That(all.Single(r => r.Kind == EvidenceKinds.PolicyDecision).Decision, Is.EqualTo("Allow"));
                break;
            case LifecycleStage.ToolExecution:
                var call = all.Single(r => r.Kind == EvidenceKinds.ToolCall);
                Assert.That(call.Attributes["tool.name"], Is.EqualTo("lookup_order"));
                Assert.That(call.Versions.Tool, Is.EqualTo("lookup_order@1.0.0"));
                break;
            case LifecycleStage.Validation:
                Assert.That(mine.Last().Decision, Is.EqualTo("answer.valid"));
                break;
            case LifecycleStage.HumanApproval:
                Assert.That(first.Outcome, Is.EqualTo(StageOutcome.NotApplicable));
                break;
            case LifecycleStage.ResponseFinalization:
                Assert.That(first.Decision, Is.EqualTo("status=Completed"));
                Assert.That(first.Payloads.Single().Name, Is.EqualTo("answer"));
                break;
            case LifecycleStage.MemoryDecision:
                Assert.That(first.ReasonCodes, Does.Contain("memory.policy_no_write"));
                break;
            case LifecycleStage.EvidencePersistence:
                var manifest = all.Single(r => r.Kind == EvidenceKinds.Manifest);
                var before = all.TakeWhile(r => r.RecordId != manifest.RecordId).Select(r => r.RecordId + "\n");
                var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Concat(before))));
                Assert.That(manifest.Attributes["records.sha256"], Is.EqualTo(expected), "the manifest digests every earlier record id in order");
                Assert.That(manifest.Attributes["records"], Is.EqualTo(all.TakeWhile(r => r.RecordId != manifest.RecordId).Count().ToString(System.Globalization.CultureInfo.InvariantCulture)));
                break;
            case LifecycleStage.Evaluation:
                Assert.That(first.Attributes["score.evidence.completeness"], Is.EqualTo("1:pass"));
                break;
            case LifecycleStage.IncidentRecovery:
                Assert.That(first.ReasonCodes, Does.Contain("no_incident"));
                Assert.That(all[^1].Stage, Is.EqualTo(LifecycleStage.IncidentRecovery), "recovery is the last stage");
                break;
        }
    }
}
