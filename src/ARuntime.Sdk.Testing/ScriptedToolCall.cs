using System.Text.Json;

namespace ARuntime.Sdk.Testing;

/// <summary>
/// One tool call of a scripted reply that proposes several calls at once (<see cref="ScriptedReply.CallTools"/>), like one
/// function-call item of a model's native tool-calling reply.
/// </summary>
public sealed record ScriptedToolCall
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="toolName">The tool name.</param>
    /// <param name="arguments">
    /// The arguments: an object serialized to JSON (an anonymous object works), a <see cref="JsonElement"/>, or JSON text as
    /// a <see cref="string"/> (kept exactly, so malformed arguments stay malformed).
    /// </param>
    public ScriptedToolCall(string toolName, object arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        ArgumentNullException.ThrowIfNull(arguments);
        ToolName = toolName;
        ArgumentsJson = arguments switch
        {
            JsonElement element => element.GetRawText(),
            string json => json,
            _ => JsonSerializer.Serialize(arguments, arguments.GetType(), JsonSerializerOptions.Web),
        };
    }

    /// <summary>Gets the tool name.</summary>
    public string ToolName { get; }

    /// <summary>Gets the arguments JSON.</summary>
    public string ArgumentsJson { get; }
}
