using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.Testing;

namespace ARuntime.Sdk.Tests.Contracts;

/// <summary>
/// A request document that leaves members out — the usual shape of a request sent by another service — means the contract's
/// documented defaults, never null collections or an enum's zero value; the same holds for a C# caller passing null.
/// </summary>
public sealed class OmittedMemberTests
{
    private const string MinimalRequest = """
        {"contractVersion":"1.0","identity":{"tenantId":"tenant-a","actor":{"id":"alice"}},"task":{"prompt":"Where is order A-1?"}}
        """;

    [Test]
    public void A_minimal_request_document_takes_the_declared_defaults()
    {
        var request = JsonSerializer.Deserialize(MinimalRequest, ARuntimeJsonContext.Default.RuntimeRequest)!;

        Assert.Multiple(() =>
        {
            Assert.That(request.AllowedTools, Is.Empty.And.Not.Null);
            Assert.That(request.Context, Is.Empty.And.Not.Null);
            Assert.That(request.Tags, Is.Empty.And.Not.Null);
            Assert.That(request.Budget, Is.EqualTo(Budget.HostDefaults));
            Assert.That(request.Memory, Is.EqualTo(MemoryPolicy.None));
            Assert.That(request.Retention, Is.EqualTo(RetentionClass.Standard), "an omitted retention is Standard, not the enum's zero value (Transient)");
            Assert.That(request.Classification, Is.EqualTo(DataClassification.Unlabelled));
            Assert.That(request.Task.History, Is.Empty.And.Not.Null);
            Assert.That(request.Task.Classification, Is.EqualTo(DataClassification.Unlabelled));
            Assert.That(request.Identity.DelegatedBy, Is.Empty.And.Not.Null);
            Assert.That(request.Identity.Actor.Roles, Is.Empty.And.Not.Null);
        });
    }

    [Test]
    public void A_classification_that_leaves_out_its_sensitivity_is_internal_never_public()
    {
        var label = JsonSerializer.Deserialize("""{"labels":["pii"]}""", ARuntimeJsonContext.Default.DataClassification)!;

        Assert.That(label.Sensitivity, Is.EqualTo(Sensitivity.Internal), "failing open to Public would let the data be routed as public");
        Assert.That(label.Labels, Is.EqualTo(new[] { "pii" }));
    }

    [Test]
    public void A_policy_decision_that_leaves_out_separation_of_duties_keeps_it()
    {
        const string json = """
            {"outcome":"RequireApproval","approval":{"approverRoles":["manager"]},"reasonCodes":["refund.large"],"policyVersion":"p1"}
            """;

        var decision = JsonSerializer.Deserialize(json, ARuntimeJsonContext.Default.PolicyDecision)!;
        var explicitOff = JsonSerializer.Deserialize("""{"requireDistinctApprover":false}""", ARuntimeJsonContext.Default.ApprovalRequirement)!;

        Assert.Multiple(() =>
        {
            Assert.That(decision.Approval!.RequireDistinctApprover, Is.True, "omitted must not mean the requester may approve their own call");
            Assert.That(explicitOff.RequireDistinctApprover, Is.False, "an explicit false is kept");
            Assert.That(JsonSerializer.Serialize(decision.Approval, ARuntimeJsonContext.Default.ApprovalRequirement), Does.Contain("\"requireDistinctApprover\":true").And.Not.Contain("OnWire"));
        });
    }

    [Test]
    public void Explicit_values_still_round_trip_under_their_wire_names()
    {
        var request = JsonSerializer.Deserialize(MinimalRequest, ARuntimeJsonContext.Default.RuntimeRequest)! with
        {
            Retention = RetentionClass.Transient,
            Classification = DataClassification.Of(Sensitivity.Public),
        };

        var json = JsonSerializer.Serialize(request, ARuntimeJsonContext.Default.RuntimeRequest);
        var back = JsonSerializer.Deserialize(json, ARuntimeJsonContext.Default.RuntimeRequest)!;
        using var document = JsonDocument.Parse(json);

        Assert.Multiple(() =>
        {
            Assert.That(back.Retention, Is.EqualTo(RetentionClass.Transient));
            Assert.That(back.Classification.Sensitivity, Is.EqualTo(Sensitivity.Public));
            Assert.That(document.RootElement.TryGetProperty("retention", out _), Is.True);
            Assert.That(document.RootElement.GetProperty("classification").TryGetProperty("sensitivity", out _), Is.True);
            Assert.That(json, Does.Not.Contain("OnWire").IgnoreCase, "the wire form keeps the public member names");
        });
    }

    [Test]
    public void A_minimal_evidence_record_document_has_empty_collections_and_the_default_digest_algorithm()
    {
        const string json = """
            {"recordId":"ev_1","requestId":"req_1","tenantId":"t","sequence":1,"stage":"Admission","kind":"stage","outcome":"Completed","timestamp":"2026-01-15T09:30:00+00:00","payloads":[{"name":"prompt","digest":"ab","length":2}]}
            """;

        var record = JsonSerializer.Deserialize(json, ARuntimeJsonContext.Default.EvidenceRecord)!;

        Assert.Multiple(() =>
        {
            Assert.That(record.ReasonCodes, Is.Empty.And.Not.Null);
            Assert.That(record.Attributes, Is.Empty.And.Not.Null);
            Assert.That(record.Flags, Is.Empty.And.Not.Null);
            Assert.That(record.Versions, Is.Not.Null);
            Assert.That(record.Classification, Is.EqualTo(DataClassification.Unlabelled));
            Assert.That(record.Payloads[0].Algorithm, Is.EqualTo("sha256"));
            Assert.That(record.Payloads[0].Classification, Is.EqualTo(DataClassification.Unlabelled));
        });
    }

    [Test]
    public async Task A_minimal_request_document_runs_through_the_whole_lifecycle()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("It shipped."));
        var request = JsonSerializer.Deserialize(MinimalRequest, ARuntimeJsonContext.Default.RuntimeRequest)!;

        var result = await harness.Runtime.RunAsync(request);

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(result.Answer, Is.EqualTo("It shipped."));
    }

    [Test]
    public async Task Null_collections_from_a_csharp_caller_mean_empty()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("It shipped."));
        var request = new RuntimeRequest
        {
            Identity = new RequestIdentity { TenantId = "tenant-a", Actor = new ActorIdentity { Id = "alice", Roles = null! }, DelegatedBy = null! },
            Task = new AgentTask { Prompt = "Where is order A-1?", History = null!, Classification = null! },
            AllowedTools = null!,
            Context = null!,
            Budget = null!,
            Memory = null!,
            Tags = null!,
            Classification = null!,
        };

        var result = await harness.Runtime.RunAsync(request);

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(request.Budget, Is.EqualTo(Budget.HostDefaults));
    }
}
