using System.Text.Json;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Protocol;

/// <summary>A model reply parsed into typed form: tool calls, an answer, or the reasons it is neither.</summary>
internal sealed class ParsedReply
{
    public List<ToolCall> Calls { get; } = [];

    /// <summary>Gets or sets calls whose arguments were not JSON objects (never executed), with the parse error.</summary>
    public List<(ToolCall Call, string Error)> MalformedCalls { get; } = [];

    public string? Answer { get; set; }

    public JsonElement? StructuredAnswer { get; set; }

    public List<string> Errors { get; } = [];

    public bool IsAnswer => Answer is not null && Calls.Count == 0 && MalformedCalls.Count == 0;
}
