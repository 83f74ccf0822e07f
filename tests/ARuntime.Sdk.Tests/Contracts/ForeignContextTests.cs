using System.Text.Json;
using System.Text.Json.Serialization;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tests.Contracts;

/// <summary>
/// The contracts keep their values and defaults in serializer contexts generated outside ARuntime.Sdk.Abstractions — a
/// host's own context, and the runtime's checkpoint of a paused request — not only in ARuntimeJsonContext.
/// </summary>
public sealed class ForeignContextTests
{
    [Test]
    public void A_hosts_own_context_round_trips_retention_sensitivity_and_separation_of_duties()
    {
        var request = new RuntimeRequest
        {
            Identity = new RequestIdentity { TenantId = "t", Actor = new ActorIdentity { Id = "a" } },
            Task = new AgentTask { Prompt = "p", Classification = DataClassification.Of(Sensitivity.Confidential, "pii") },
            Retention = RetentionClass.Transient,
        };
        var approval = new ApprovalRequirement { RequireDistinctApprover = false };

        var back = JsonSerializer.Deserialize(JsonSerializer.Serialize(request, HostContext.Default.RuntimeRequest), HostContext.Default.RuntimeRequest)!;
        var approvalBack = JsonSerializer.Deserialize(JsonSerializer.Serialize(approval, HostContext.Default.ApprovalRequirement), HostContext.Default.ApprovalRequirement)!;
        var minimal = JsonSerializer.Deserialize("""{"identity":{"tenantId":"t","actor":{"id":"a"}},"task":{"prompt":"p","classification":{"labels":["pii"]}}}""", HostContext.Default.RuntimeRequest)!;

        Assert.Multiple(() =>
        {
            Assert.That(back.Retention, Is.EqualTo(RetentionClass.Transient));
            Assert.That(back.Task.Classification.Sensitivity, Is.EqualTo(Sensitivity.Confidential));
            Assert.That(approvalBack.RequireDistinctApprover, Is.False);
            Assert.That(minimal.Retention, Is.EqualTo(RetentionClass.Standard));
            Assert.That(minimal.Task.Classification.Sensitivity, Is.EqualTo(Sensitivity.Internal));
            Assert.That(minimal.AllowedTools, Is.Empty.And.Not.Null);
        });
    }

    [Test]
    public void A_paused_requests_checkpoint_keeps_retention_and_sensitivity()
    {
        var request = new RuntimeRequest
        {
            Identity = new RequestIdentity { TenantId = "t", Actor = new ActorIdentity { Id = "a" } },
            Task = new AgentTask { Prompt = "p" },
            Classification = DataClassification.Of(Sensitivity.Restricted, "phi"),
            Retention = RetentionClass.Extended,
        };
        var info = CheckpointJsonContext.Default.GetTypeInfo(typeof(RuntimeRequest))!;

        var back = (RuntimeRequest)JsonSerializer.Deserialize(JsonSerializer.Serialize(request, info), info)!;

        Assert.Multiple(() =>
        {
            Assert.That(back.Retention, Is.EqualTo(RetentionClass.Extended));
            Assert.That(back.Classification, Is.EqualTo(request.Classification), "a resumed request must not lose its classification");
        });
    }
}

/// <summary>A host's own source-generated context that includes ARuntime contracts.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RuntimeRequest))]
[JsonSerializable(typeof(ApprovalRequirement))]
internal sealed partial class HostContext : JsonSerializerContext;
