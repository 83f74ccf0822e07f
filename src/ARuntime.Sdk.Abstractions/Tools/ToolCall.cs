using System.Text.Json;

namespace ARuntime.Sdk.Tools;

/// <summary>A typed tool call: the model's proposal after parsing, ready for schema validation and authorization.</summary>
public sealed record ToolCall
{
    /// <summary>Gets the call id (unique within the request).</summary>
    public required string CallId { get; init; }

    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the arguments.</summary>
    public required JsonElement Arguments { get; init; }
}
