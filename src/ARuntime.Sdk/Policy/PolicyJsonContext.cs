using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ARuntime.Sdk.Policy;

/// <summary>Source-generated serialization of the JSON nodes policy transformations and documents work on.</summary>
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class PolicyJsonContext : JsonSerializerContext
{
}
