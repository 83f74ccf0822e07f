using System.Buffers;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.Protocol;

/// <summary>
/// The reply envelope a model must produce when it has tools or an output contract: exactly one JSON object, either
/// <c>{"tool": "&lt;name&gt;", "arguments": {…}}</c> (one variant per offered tool, its arguments constrained by the tool's
/// input schema) or <c>{"answer": …}</c> (a string, or the output contract's schema). The envelope is a JSON Schema, so
/// engines with constrained decoding make every reply schema-valid by construction; the runtime validates it again anyway.
/// </summary>
/// <remarks>
/// Tool input schemas are embedded under <c>$defs</c> (<c>#/$defs/tool.&lt;name&gt;</c>) and their internal references are
/// rewritten to point there, so schemas with their own <c>$defs</c>/<c>$ref</c> keep working inside the envelope.
/// </remarks>
internal static class ResponseEnvelope
{
    public const string ToolProperty = "tool";
    public const string ArgumentsProperty = "arguments";
    public const string AnswerProperty = "answer";

    /// <summary>Returns whether a request with these tools and this contract uses the JSON envelope (otherwise plain text).</summary>
    public static bool IsRequired(IReadOnlyList<ToolDescriptor> tools, OutputContract? output) => tools.Count > 0 || output is not null;

    /// <summary>Builds the response format for one request (built once per request and reused every turn).</summary>
    public static InferenceResponseFormat Build(IReadOnlyList<ToolDescriptor> tools, OutputContract? output)
    {
        if (!IsRequired(tools, output))
        {
            return InferenceResponseFormat.Text;
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (tools.Count == 0)
            {
                // Only the answer variant: the envelope is that object schema itself.
                WriteAnswerVariant(writer, output);
            }
            else
            {
                writer.WriteStartArray("oneOf");
                foreach (var tool in tools)
                {
                    writer.WriteStartObject();
                    WriteToolVariant(writer, tool);
                    writer.WriteEndObject();
                }

                writer.WriteStartObject();
                WriteAnswerVariant(writer, output);
                writer.WriteEndObject();
                writer.WriteEndArray();
            }

            writer.WriteStartObject("$defs");
            foreach (var tool in tools)
            {
                var name = DefinitionName(tool.Name);
                writer.WritePropertyName(name);
                WriteRebased(writer, tool.InputSchema, "#/$defs/" + name);
            }

            if (output is not null)
            {
                writer.WritePropertyName(OutputDefinition);
                WriteRebased(writer, output.Schema, "#/$defs/" + OutputDefinition);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return InferenceResponseFormat.ForJsonSchema(document.RootElement.Clone(), "aruntime.reply");
    }

    private const string OutputDefinition = "answer.output";

    private static string DefinitionName(string toolName) => "tool." + toolName;

    private static void WriteToolVariant(Utf8JsonWriter writer, ToolDescriptor tool)
    {
        writer.WriteString("type", "object");
        writer.WriteStartObject("properties");
        writer.WriteStartObject(ToolProperty);
        writer.WriteString("const", tool.Name);
        writer.WriteEndObject();
        writer.WriteStartObject(ArgumentsProperty);
        writer.WriteString("$ref", "#/$defs/" + DefinitionName(tool.Name));
        writer.WriteEndObject();
        writer.WriteEndObject();
        WriteRequired(writer, ToolProperty, ArgumentsProperty);
        writer.WriteBoolean("additionalProperties", false);
    }

    private static void WriteAnswerVariant(Utf8JsonWriter writer, OutputContract? output)
    {
        writer.WriteString("type", "object");
        writer.WriteStartObject("properties");
        writer.WriteStartObject(AnswerProperty);
        if (output is not null)
        {
            writer.WriteString("$ref", "#/$defs/" + OutputDefinition);
        }
        else
        {
            writer.WriteString("type", "string");
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        WriteRequired(writer, AnswerProperty);
        writer.WriteBoolean("additionalProperties", false);
    }

    private static void WriteRequired(Utf8JsonWriter writer, params string[] names)
    {
        writer.WriteStartArray("required");
        foreach (var name in names)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Copies a schema, rewriting JSON-Pointer references (<c>#</c> and <c>#/…</c>) to point below its new location.
    /// Plain-name anchors (<c>#name</c>) still resolve in the combined document and are kept; data keywords (<c>enum</c>,
    /// <c>const</c>, <c>default</c>, <c>examples</c>) are copied verbatim, since a <c>$ref</c> key inside them is data.
    /// </summary>
    private static void WriteRebased(Utf8JsonWriter writer, JsonElement element, string basePointer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    // $schema and $id would re-root the embedded schema; the envelope is one document.
                    if (property.NameEquals("$schema") || property.NameEquals("$id"))
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name);
                    if (property.NameEquals("$ref") && property.Value.ValueKind == JsonValueKind.String
                        && property.Value.GetString() is { } reference && (reference == "#" || reference.StartsWith("#/", StringComparison.Ordinal)))
                    {
                        writer.WriteStringValue(reference.Length == 1 ? basePointer : basePointer + reference[1..]);
                    }
                    else if (IsDataKeyword(property))
                    {
                        property.Value.WriteTo(writer);
                    }
                    else
                    {
                        WriteRebased(writer, property.Value, basePointer);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteRebased(writer, item, basePointer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static bool IsDataKeyword(JsonProperty property) =>
        property.NameEquals("enum") || property.NameEquals("const") || property.NameEquals("default") || property.NameEquals("examples");
}
