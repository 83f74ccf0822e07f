using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using Json.Pointer;

namespace ARuntime.Sdk.Idempotency;

/// <summary>
/// Derives tool operation keys: the same logical operation gets the same key across retries, duplicates and restarts. The key
/// is a digest of the tenant, the scope (the request's idempotency key or id, or nothing for tenant-scoped tools), the tool
/// name and the canonical JSON of the key arguments (all arguments unless the tool names some). Canonical JSON sorts object
/// members and normalizes numbers and string escapes, so <c>{"a":1.0,"b":"x"}</c> and <c>{"b":"\u0078","a":1}</c> are one
/// operation. The tool version is deliberately excluded, so an upgrade between a crash and a restart still recognises the
/// operation.
/// </summary>
internal static class OperationKeys
{
    public static string Derive(string tenantId, string requestScope, ToolDescriptor tool, JsonElement arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(tenantId);
            if (tool.Idempotency.Scope == OperationKeyScope.Tenant)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(requestScope);
            }

            writer.WriteStringValue(tool.Name);
            if (tool.Idempotency.KeyArguments.Count > 0 && arguments.ValueKind == JsonValueKind.Object)
            {
                writer.WriteStartObject();
                foreach (var name in tool.Idempotency.KeyArguments.Order(StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    if (TryResolve(arguments, name, out var value))
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

    /// <summary>Resolves a key argument: a JSON Pointer when it starts with <c>/</c>, otherwise a top-level property name.</summary>
    private static bool TryResolve(JsonElement arguments, string keyArgument, out JsonElement value)
    {
        if (keyArgument.StartsWith('/') && JsonPointer.TryParse(keyArgument, out var pointer) && pointer.Evaluate(arguments) is { } found)
        {
            value = found;
            return true;
        }

        return arguments.TryGetProperty(keyArgument, out value);
    }

    /// <summary>Writes JSON with object members sorted by ordinal name and numbers normalized, so equal values produce equal bytes.</summary>
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
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(CanonicalNumber(element), skipInputValidation: true);
                break;
            case JsonValueKind.Undefined:
                writer.WriteNullValue();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static string CanonicalNumber(JsonElement number)
    {
        if (number.TryGetDecimal(out var value))
        {
            // Dividing by 1.000…0 removes trailing zeros from the scale: 1.0 and 1 become the same digits.
            return (value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
        }

        return number.GetDouble().ToString("R", CultureInfo.InvariantCulture);
    }
}
