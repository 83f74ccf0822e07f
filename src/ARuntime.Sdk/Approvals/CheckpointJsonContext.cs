using System.Text.Json;
using System.Text.Json.Serialization;

namespace ARuntime.Sdk.Approvals;

/// <summary>Source-generated serialization of request checkpoints.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RequestCheckpoint))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext
{
}
