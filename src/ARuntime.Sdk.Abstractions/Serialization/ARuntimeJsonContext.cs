using System.Text.Json;
using System.Text.Json.Serialization;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evaluation;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Serialization;

/// <summary>
/// The source-generated System.Text.Json context for every ARuntime contract: camelCase names, enums as strings, null
/// members omitted. Use <see cref="ARuntimeJson.Options"/> or the generated type infos (for example
/// <c>ARuntimeJsonContext.Default.RuntimeRequest</c>) to read and write contracts; both round-trip losslessly.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(RuntimeRequest))]
[JsonSerializable(typeof(ModelRoute))]
[JsonSerializable(typeof(ToolDescriptor))]
[JsonSerializable(typeof(PolicyDecision))]
[JsonSerializable(typeof(ApprovalRequirement))]
[JsonSerializable(typeof(EvidenceRecord))]
[JsonSerializable(typeof(IReadOnlyList<EvidenceRecord>))]
[JsonSerializable(typeof(TraceContext))]
[JsonSerializable(typeof(AgentResult))]
[JsonSerializable(typeof(AgentEvent))]
[JsonSerializable(typeof(ApprovalTicket))]
[JsonSerializable(typeof(ApprovalDecision))]
[JsonSerializable(typeof(PausedRequest))]
[JsonSerializable(typeof(MemoryItem))]
[JsonSerializable(typeof(IReadOnlyList<MemoryItem>))]
[JsonSerializable(typeof(ModelDeployment))]
[JsonSerializable(typeof(InferenceRequest))]
[JsonSerializable(typeof(InferenceResult))]
[JsonSerializable(typeof(ToolCall))]
[JsonSerializable(typeof(ToolResult))]
[JsonSerializable(typeof(EvaluationScore))]
[JsonSerializable(typeof(RequestJournalEntry))]
[JsonSerializable(typeof(RequestStatus))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class ARuntimeJsonContext : JsonSerializerContext
{
}
