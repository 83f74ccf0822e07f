using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// Derives tool operation keys: the same logical operation gets the same key across retries, duplicates and restarts. The key
/// is a digest of the tenant, the request's idempotency key (or its id), the tool name and the canonical JSON of the key
/// arguments (all arguments unless the tool names some). The tool version is deliberately excluded, so an upgrade between a
/// crash and a restart still recognises the operation.
/// </summary>
internal static class OperationKeys
{
    public static string Derive(string tenantId, string scope, ToolDescriptor tool, JsonElement arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(tenantId);
            writer.WriteStringValue(scope);
            writer.WriteStringValue(tool.Name);
            if (tool.Idempotency.KeyArguments.Count > 0 && arguments.ValueKind == JsonValueKind.Object)
            {
                writer.WriteStartObject();
                foreach (var name in tool.Idempotency.KeyArguments.Order(StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    if (arguments.TryGetProperty(name, out var value))
                    {
                        WriteCanonical(writer, value);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }
                }

                writer.WriteEndObject();
            }
            else
            {
                WriteCanonical(writer, arguments);
            }

            writer.WriteEndArray();
        }

        return "op_" + Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan))[..40];
    }

    /// <summary>Writes JSON with object members sorted by ordinal name, so equal values always produce equal bytes.</summary>
    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Undefined:
                writer.WriteNullValue();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
