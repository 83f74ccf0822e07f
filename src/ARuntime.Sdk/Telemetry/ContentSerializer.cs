using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Secrets;

namespace ARuntime.Sdk.Telemetry;

/// <summary>
/// Writes the opt-in content attributes (<c>gen_ai.system_instructions</c>, <c>gen_ai.input.messages</c>,
/// <c>gen_ai.output.messages</c>, <c>gen_ai.tool.definitions</c>, tool call arguments and results) as the JSON strings the
/// GenAI conventions define. Every text is redacted of the request's resolved credentials before it is JSON-encoded, because
/// JSON escaping could otherwise hide a credential from a redactor that looks for its literal value.
/// </summary>
internal static class ContentSerializer
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string SystemInstructions(string instructions, SecretRedactor redactor, int maxLength) =>
        Write(writer =>
        {
            writer.WriteStartArray();
            WriteTextPart(writer, instructions, redactor);
            writer.WriteEndArray();
        }, redactor, maxLength);

    public static string InputMessages(IEnumerable<AgentMessage> messages, SecretRedactor redactor, int maxLength) =>
        Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", Role(message.Role));
                writer.WriteStartArray("parts");
                if (message.Role == MessageRole.Tool)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", "tool_call_response");
                    if (message.ToolCallId is not null)
                    {
                        writer.WriteString("id", message.ToolCallId);
                    }

                    writer.WriteString("result", redactor.Redact(message.Content));
                    writer.WriteEndObject();
                }
                else
                {
                    WriteTextPart(writer, message.Content, redactor);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }, redactor, maxLength);

    public static string OutputMessages(string text, IReadOnlyList<ProposedToolCall> toolCalls, SecretRedactor redactor, int maxLength) =>
        Write(writer =>
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("role", "assistant");
            writer.WriteStartArray("parts");
            if (text.Length > 0)
            {
                WriteTextPart(writer, text, redactor);
            }

            foreach (var call in toolCalls)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "tool_call");
                if (call.CallId is not null)
                {
                    writer.WriteString("id", call.CallId);
                }

                writer.WriteString("name", call.ToolName);
                writer.WritePropertyName("arguments");
                WriteJsonOrString(writer, call.ArgumentsJson, redactor);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
        }, redactor, maxLength);

    /// <summary>Writes the offered tools with the properties the tool definitions schema requires (type and name) only.</summary>
    public static string ToolDefinitions(IEnumerable<ToolDescriptor> tools, SecretRedactor redactor, int maxLength) =>
        Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var tool in tools)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "function");
                writer.WriteString("name", tool.Name);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }, redactor, maxLength);

    /// <summary>Writes a JSON value with every string (and property name) redacted.</summary>
    public static string Json(JsonElement value, SecretRedactor redactor, int maxLength) =>
        Write(writer => WriteRedacted(writer, value, redactor), redactor, maxLength);

    public static string Truncate(string value, int maxLength) =>
        maxLength > 0 && value.Length > maxLength ? string.Concat(value.AsSpan(0, maxLength), "…") : value;

    private static string Write(Action<Utf8JsonWriter> write, SecretRedactor redactor, int maxLength)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        // A second pass over the encoded text as well: redaction must not depend on how a value happened to be split.
        return Truncate(redactor.Redact(Encoding.UTF8.GetString(buffer.WrittenSpan)), maxLength);
    }

    private static void WriteTextPart(Utf8JsonWriter writer, string content, SecretRedactor redactor)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("content", redactor.Redact(content));
        writer.WriteEndObject();
    }

    private static void WriteJsonOrString(Utf8JsonWriter writer, string json, SecretRedactor redactor)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            WriteRedacted(writer, document.RootElement, redactor);
        }
        catch (JsonException)
        {
            // The conventions ask for an object when one can be parsed, and for the string otherwise.
            writer.WriteStringValue(redactor.Redact(json));
        }
    }

    private static void WriteRedacted(Utf8JsonWriter writer, JsonElement value, SecretRedactor redactor)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(redactor.Redact(property.Name));
                    WriteRedacted(writer, property.Value, redactor);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteRedacted(writer, item, redactor);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(redactor.Redact(value.GetString()!));
                break;
            case JsonValueKind.Undefined:
                writer.WriteNullValue();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private static string Role(MessageRole role) => role switch
    {
        MessageRole.System => "system",
        MessageRole.User => "user",
        MessageRole.Assistant => "assistant",
        MessageRole.Tool => "tool",
        _ => role.ToString(),
    };
}
