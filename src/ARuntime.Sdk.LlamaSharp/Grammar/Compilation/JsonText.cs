using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>Writes JSON text for literals the grammar must produce verbatim.</summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>Writes <paramref name="value"/> as compact JSON (object member order kept), or null when it cannot be
    /// written as valid JSON text (for example a string with a lone surrogate).</summary>
    public static string? Compact(JsonElement value)
    {
        try
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                value.WriteTo(writer);
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
            using var check = JsonDocument.Parse(text);
            return text;
        }
        catch (Exception error) when (error is InvalidOperationException or ArgumentException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes a JSON string literal (quotes included).</summary>
    public static string Quote(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStringValue(value);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
