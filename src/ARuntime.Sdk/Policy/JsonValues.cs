using System.Buffers;
using System.Text.Json;

namespace ARuntime.Sdk.Policy;

/// <summary>Builds JSON values for policy operands without reflection-based serialization.</summary>
internal static class JsonValues
{
    public static JsonElement From(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Build(w => w.WriteStringValue(value));
    }

    public static JsonElement From(decimal value) => Build(w => w.WriteNumberValue(value));

    public static JsonElement From(bool value) => Build(w => w.WriteBooleanValue(value));

    public static JsonElement From(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Build(w =>
        {
            w.WriteStartArray();
            foreach (var value in values)
            {
                w.WriteStringValue(value);
            }

            w.WriteEndArray();
        });
    }

    private static JsonElement Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
