using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Pointer;

namespace ARuntime.Sdk.Policy;

/// <summary>Applies <see cref="ArgumentTransformation"/>s to a copy of a tool call's arguments.</summary>
internal static class ArgumentTransformer
{
    public const string DefaultRedaction = "[REDACTED]";

    /// <summary>Returns the arguments with the transformations applied in order.</summary>
    /// <exception cref="InvalidOperationException">A transformation cannot apply (for example, setting a member of a parent that does not exist).</exception>
    public static JsonElement Apply(JsonElement arguments, IReadOnlyList<(string[] Segments, ArgumentTransformation Transformation)> transformations)
    {
        var root = JsonNode.Parse(arguments.GetRawText()) ?? throw new InvalidOperationException("The arguments are null.");
        foreach (var (segments, transformation) in transformations)
        {
            Apply(root, segments, transformation);
        }

        return JsonSerializer.SerializeToElement(root, PolicyJsonContext.Default.JsonNode);
    }

    /// <summary>Decodes a JSON Pointer into its reference tokens (RFC 6901: <c>~1</c> is <c>/</c>, <c>~0</c> is <c>~</c>).</summary>
    public static string[] Segments(JsonPointer pointer)
    {
        var segments = new string[pointer.SegmentCount];
        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = pointer[i].ToString().Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }

        return segments;
    }

    private static void Apply(JsonNode root, string[] segments, ArgumentTransformation transformation)
    {
        var parent = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            parent = Child(parent, segments[i]);
            if (parent is null)
            {
                if (transformation.Kind == ArgumentTransformKind.Set)
                {
                    throw new InvalidOperationException($"Cannot set '{transformation.Path}': its parent does not exist.");
                }

                return;
            }
        }

        var last = segments[^1];
        var current = Child(parent, last);
        switch (transformation.Kind)
        {
            case ArgumentTransformKind.Set:
                Replace(parent, last, ToNode(transformation.Value), append: true, transformation.Path);
                break;
            case ArgumentTransformKind.Remove:
                if (parent is JsonObject obj)
                {
                    obj.Remove(last);
                }
                else if (parent is JsonArray array && int.TryParse(last, out var index) && index >= 0 && index < array.Count)
                {
                    array.RemoveAt(index);
                }

                break;
            case ArgumentTransformKind.Redact when current is not null:
                Replace(parent, last, transformation.Value is { } marker ? ToNode(marker) : JsonValue.Create(DefaultRedaction), append: false, transformation.Path);
                break;
            case ArgumentTransformKind.Clamp when current is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<decimal>(out var number):
                var clamped = number;
                if (transformation.Minimum is { } min && clamped < min)
                {
                    clamped = min;
                }

                if (transformation.Maximum is { } max && clamped > max)
                {
                    clamped = max;
                }

                if (clamped != number)
                {
                    Replace(parent, last, JsonValue.Create(clamped), append: false, transformation.Path);
                }

                break;
            case ArgumentTransformKind.KeepOnly when current is JsonArray items && transformation.Value is { ValueKind: JsonValueKind.Array } allowed:
                for (var i = items.Count - 1; i >= 0; i--)
                {
                    var item = JsonSerializer.SerializeToElement(items[i], PolicyJsonContext.Default.JsonNode);
                    if (!allowed.EnumerateArray().Any(a => JsonValueComparer.AreEqual(item, a, ignoreCase: false)))
                    {
                        items.RemoveAt(i);
                    }
                }

                break;
        }
    }

    private static JsonNode? Child(JsonNode? node, string segment) => node switch
    {
        JsonObject obj => obj.TryGetPropertyValue(segment, out var child) ? child : null,
        JsonArray array when int.TryParse(segment, out var index) && index >= 0 && index < array.Count => array[index],
        _ => null,
    };

    private static void Replace(JsonNode parent, string segment, JsonNode? value, bool append, string path)
    {
        switch (parent)
        {
            case JsonObject obj:
                obj[segment] = value;
                break;
            case JsonArray array when int.TryParse(segment, out var index) && index >= 0 && index < array.Count:
                array[index] = value;
                break;
            case JsonArray array when append && segment == "-":
                array.Add(value);
                break;
            default:
                throw new InvalidOperationException($"Cannot change '{path}': it does not address a member of an object or an element of an array.");
        }
    }

    private static JsonNode? ToNode(JsonElement? value) => value is { } element ? JsonNode.Parse(element.GetRawText()) : null;
}
