using System.Text;
using System.Text.Json;

namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>
/// Writes a JSON Schema as a compact, TypeScript-like type for the prompt (docs/prompting.md): objects as
/// <c>{name: string, age?: integer}</c> (<c>?</c> marks optional properties), arrays as <c>T[]</c>, enums and consts as
/// JSON literals joined by <c>|</c>, unions with <c>|</c>, ranges as <c>integer(1..10)</c>, local <c>$ref</c>s resolved
/// inline (a recursive reference is written by its definition name). The grammar, not this text, enforces the schema;
/// the text only tells the model what is expected, in as few tokens as possible.
/// </summary>
internal static class CompactSchemaWriter
{
    private const int MaxDepth = 6;

    /// <summary>Writes <paramref name="schema"/> compactly.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="toolArguments">Tool names whose arguments were already described: an object variant with a constant
    /// <c>tool</c> naming one of them and an <c>arguments</c> property is written as <c>{tool: "name", arguments: name.arguments}</c>.</param>
    /// <returns>The compact text.</returns>
    public static string Write(JsonElement schema, IReadOnlySet<string>? toolArguments = null)
    {
        var builder = new StringBuilder();
        new Writer(builder, schema, toolArguments).Write(schema, depth: 0, refStack: ["#"]);
        return builder.ToString();
    }

    private sealed class Writer(StringBuilder output, JsonElement root, IReadOnlySet<string>? toolArguments)
    {
        public void Write(JsonElement schema, int depth, List<string> refStack)
        {
            if (schema.ValueKind == JsonValueKind.True)
            {
                output.Append("any");
                return;
            }

            if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
            {
                output.Append(schema.ValueKind == JsonValueKind.False ? "never" : "any");
                return;
            }

            if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
            {
                WriteReference(reference.GetString()!, depth, refStack);
                return;
            }

            if (schema.TryGetProperty("const", out var constant))
            {
                output.Append(constant.GetRawText());
                return;
            }

            if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
            {
                var first = true;
                foreach (var value in values.EnumerateArray())
                {
                    output.Append(first ? string.Empty : "|").Append(value.GetRawText());
                    first = false;
                }

                return;
            }

            foreach (var keyword in (ReadOnlySpan<string>)["anyOf", "oneOf"])
            {
                if (schema.TryGetProperty(keyword, out var variants) && variants.ValueKind == JsonValueKind.Array)
                {
                    var first = true;
                    foreach (var variant in variants.EnumerateArray())
                    {
                        output.Append(first ? string.Empty : " | ");
                        Write(variant, depth + 1, refStack);
                        first = false;
                    }

                    return;
                }
            }

            if (schema.TryGetProperty("type", out var type))
            {
                if (type.ValueKind == JsonValueKind.Array)
                {
                    var first = true;
                    foreach (var t in type.EnumerateArray())
                    {
                        output.Append(first ? string.Empty : "|");
                        WriteTyped(schema, t.GetString() ?? "any", depth, refStack);
                        first = false;
                    }

                    return;
                }

                WriteTyped(schema, type.GetString() ?? "any", depth, refStack);
                return;
            }

            if (schema.TryGetProperty("properties", out _))
            {
                WriteObject(schema, depth, refStack);
                return;
            }

            output.Append("any");
        }

        private void WriteTyped(JsonElement schema, string type, int depth, List<string> refStack)
        {
            switch (type)
            {
                case "object":
                    WriteObject(schema, depth, refStack);
                    break;
                case "array":
                    WriteArray(schema, depth, refStack);
                    break;
                case "integer" or "number":
                    output.Append(type);
                    WriteRange(schema);
                    break;
                case "string":
                    output.Append("string");
                    if (schema.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String)
                    {
                        output.Append('<').Append(format.GetString()).Append('>');
                    }
                    else if (schema.TryGetProperty("maxLength", out var maxLength) && maxLength.ValueKind == JsonValueKind.Number)
                    {
                        output.Append("(<=").Append(maxLength.GetRawText()).Append(" chars)");
                    }

                    break;
                default:
                    output.Append(type);
                    break;
            }
        }

        private void WriteRange(JsonElement schema)
        {
            var min = schema.TryGetProperty("minimum", out var minimum) ? minimum.GetRawText() : null;
            var max = schema.TryGetProperty("maximum", out var maximum) ? maximum.GetRawText() : null;
            if (min is not null || max is not null)
            {
                output.Append('(').Append(min).Append("..").Append(max).Append(')');
            }
        }

        private void WriteObject(JsonElement schema, int depth, List<string> refStack)
        {
            if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            {
                output.Append("object");
                return;
            }

            var required = new HashSet<string>(StringComparer.Ordinal);
            if (schema.TryGetProperty("required", out var requiredList) && requiredList.ValueKind == JsonValueKind.Array)
            {
                foreach (var name in requiredList.EnumerateArray())
                {
                    if (name.ValueKind == JsonValueKind.String)
                    {
                        required.Add(name.GetString()!);
                    }
                }
            }

            if (TryWriteToolCall(properties))
            {
                return;
            }

            output.Append('{');
            var first = true;
            foreach (var property in properties.EnumerateObject())
            {
                output.Append(first ? string.Empty : ", ");
                first = false;
                WriteName(property.Name);
                output.Append(required.Contains(property.Name) ? ": " : "?: ");
                Write(property.Value, depth + 1, refStack);
            }

            output.Append('}');
        }

        private bool TryWriteToolCall(JsonElement properties)
        {
            if (toolArguments is null
                || !properties.TryGetProperty("tool", out var tool)
                || !properties.TryGetProperty("arguments", out _)
                || !tool.TryGetProperty("const", out var name)
                || name.ValueKind != JsonValueKind.String
                || !toolArguments.Contains(name.GetString()!))
            {
                return false;
            }

            output.Append("{tool: ").Append(name.GetRawText()).Append(", arguments: ").Append(name.GetString()).Append(".arguments}");
            return true;
        }

        private void WriteArray(JsonElement schema, int depth, List<string> refStack)
        {
            if (schema.TryGetProperty("items", out var items) && items.ValueKind is JsonValueKind.Object or JsonValueKind.True)
            {
                var needsParentheses = items.ValueKind == JsonValueKind.Object
                    && (items.TryGetProperty("anyOf", out _) || items.TryGetProperty("oneOf", out _) || items.TryGetProperty("enum", out _)
                        || (items.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.Array));
                output.Append(needsParentheses ? "(" : string.Empty);
                Write(items, depth + 1, refStack);
                output.Append(needsParentheses ? ")[]" : "[]");
            }
            else
            {
                output.Append("any[]");
            }

            var min = schema.TryGetProperty("minItems", out var minItems) ? minItems.GetRawText() : null;
            var max = schema.TryGetProperty("maxItems", out var maxItems) ? maxItems.GetRawText() : null;
            if (min is not null || max is not null)
            {
                output.Append('(').Append(min).Append("..").Append(max).Append(" items)");
            }
        }

        private void WriteReference(string reference, int depth, List<string> refStack)
        {
            var name = reference switch
            {
                "#" => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String ? title.GetString()! : "root",
                _ when reference.StartsWith("#/", StringComparison.Ordinal) => reference[(reference.LastIndexOf('/') + 1)..],
                _ => reference,
            };
            if (refStack.Contains(reference, StringComparer.Ordinal) || !TryResolve(reference, out var target))
            {
                output.Append(name);
                return;
            }

            refStack.Add(reference);
            Write(target, depth + 1, refStack);
            refStack.RemoveAt(refStack.Count - 1);
        }

        private bool TryResolve(string reference, out JsonElement target)
        {
            target = root;
            if (reference == "#")
            {
                return true;
            }

            if (!reference.StartsWith("#/", StringComparison.Ordinal))
            {
                return false;
            }

            foreach (var rawSegment in reference[2..].Split('/'))
            {
                var segment = rawSegment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (target.ValueKind != JsonValueKind.Object || !target.TryGetProperty(segment, out target))
                {
                    return false;
                }
            }

            return true;
        }

        private void WriteName(string name)
        {
            var plain = name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
            if (plain)
            {
                output.Append(name);
            }
            else
            {
                output.Append(JsonSerializer.Serialize(name, PromptJsonContext.Default.String));
            }
        }
    }
}
