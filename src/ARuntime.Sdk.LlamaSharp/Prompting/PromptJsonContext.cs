using System.Text.Json.Serialization;

namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>Source-generated JSON metadata for the strings the prompt writers quote.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class PromptJsonContext : JsonSerializerContext;
