using System.Text;
using System.Text.Json;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// A schema document being compiled: its dialect, JSON Pointer resolution and <c>$ref</c> resolution within the
/// document (JSON Pointer fragments, <c>$anchor</c> names, and the root's own <c>$id</c>). References to other documents
/// are rejected.
/// </summary>
internal sealed class SchemaDocument
{
    private static readonly Dictionary<string, SchemaDialect> KnownDialects = new(StringComparer.Ordinal)
    {
        ["http://json-schema.org/draft-06/schema"] = SchemaDialect.Draft6,
        ["http://json-schema.org/draft-07/schema"] = SchemaDialect.Draft7,
        ["https://json-schema.org/draft/2019-09/schema"] = SchemaDialect.Draft201909,
        ["https://json-schema.org/draft/2020-12/schema"] = SchemaDialect.Draft202012,
    };

    private Dictionary<string, string>? anchors;

    /// <summary>Initializes a new instance of the <see cref="SchemaDocument"/> class.</summary>
    /// <exception cref="UnsupportedSchemaException"><c>$schema</c> names an unsupported dialect.</exception>
    public SchemaDocument(JsonElement root)
    {
        Root = root;
        Dialect = SchemaDialect.Draft202012;
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (root.TryGetProperty("$schema", out var schemaUri))
            {
                var text = schemaUri.ValueKind == JsonValueKind.String ? schemaUri.GetString()!.TrimEnd('#') : null;
                if (text is null || !KnownDialects.TryGetValue(text, out var dialect))
                {
                    throw new UnsupportedSchemaException(
                        "$schema",
                        "/$schema",
                        "only the JSON Schema drafts 6, 7, 2019-09 and 2020-12 are supported");
                }

                Dialect = dialect;
            }

            if (root.TryGetProperty("$id", out var id))
            {
                RootId = id.ValueKind == JsonValueKind.String
                    ? id.GetString()!.TrimEnd('#')
                    : throw new UnsupportedSchemaException("$id", "/$id", "$id must be a string");
            }
        }
    }

    /// <summary>Gets the root element.</summary>
    public JsonElement Root { get; }

    /// <summary>Gets the dialect.</summary>
    public SchemaDialect Dialect { get; }

    /// <summary>Gets the root's <c>$id</c> without a trailing <c>#</c>, if any.</summary>
    public string? RootId { get; }

    /// <summary>Gets a value indicating whether <c>$ref</c> hides its sibling keywords (drafts 6 and 7).</summary>
    public bool RefIgnoresSiblings => Dialect is SchemaDialect.Draft6 or SchemaDialect.Draft7;

    /// <summary>Appends a reference token to a JSON Pointer, escaping it.</summary>
    public static string Append(string pointer, string token) =>
        pointer + "/" + token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>Appends an array index to a JSON Pointer.</summary>
    public static string Append(string pointer, int index) =>
        pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Returns the element at a JSON Pointer, or null when there is none.</summary>
    public JsonElement? Resolve(string pointer)
    {
        if (pointer.Length == 0)
        {
            return Root;
        }

        if (pointer[0] != '/')
        {
            return null;
        }

        var current = Root;
        foreach (var raw in pointer[1..].Split('/'))
        {
            var token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(token, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && IsIndex(token, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>Resolves the value of a <c>$ref</c> to the JSON Pointer of its target within this document.</summary>
    /// <exception cref="UnsupportedSchemaException">The reference is external, malformed or dangling.</exception>
    public string ResolveReference(string reference, string refPointer)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var documentPart = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? string.Empty : reference[(hash + 1)..];
        if (documentPart.Length > 0 && !string.Equals(documentPart, RootId, StringComparison.Ordinal))
        {
            throw new UnsupportedSchemaException("$ref", refPointer, $"the reference '{reference}' points outside this schema document; only references within the document are supported");
        }

        string target;
        if (fragment.Length == 0 || fragment[0] == '/')
        {
            try
            {
                target = Uri.UnescapeDataString(fragment);
            }
            catch (UriFormatException)
            {
                throw new UnsupportedSchemaException("$ref", refPointer, $"the reference '{reference}' is not a valid URI fragment");
            }
        }
        else
        {
            anchors ??= CollectAnchors();
            if (!anchors.TryGetValue(fragment, out target!))
            {
                throw new UnsupportedSchemaException("$ref", refPointer, $"no $anchor named '{fragment}' in the document");
            }
        }

        if (Resolve(target) is null)
        {
            throw new UnsupportedSchemaException("$ref", refPointer, $"the reference '{reference}' does not point to anything in the document");
        }

        return target;
    }

    private Dictionary<string, string> CollectAnchors()
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonElement element, string pointer, int depth)
        {
            if (depth > 200)
            {
                return;
            }

            if (element.ValueKind == JsonValueKind.Object)
            {
                if (element.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String)
                {
                    found.TryAdd(anchor.GetString()!, pointer);
                }

                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is not "enum" and not "const" and not "default" and not "examples")
                    {
                        Walk(property.Value, Append(pointer, property.Name), depth + 1);
                    }
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, Append(pointer, index++), depth + 1);
                }
            }
        }

        Walk(Root, string.Empty, 0);
        return found;
    }

    private static bool IsIndex(string token, out int index)
    {
        index = 0;
        if (token.Length == 0 || token.Length > 9 || (token.Length > 1 && token[0] == '0'))
        {
            return false;
        }

        foreach (var c in token)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        index = int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>Writes a JSON value canonically: object keys sorted, numbers normalized (so equal JSON values give equal text).</summary>
    public static string Canonical(JsonElement value)
    {
        var builder = new StringBuilder();
        WriteCanonical(builder, value);
        return builder.ToString();
    }

    private static void WriteCanonical(StringBuilder builder, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                var first = true;
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    builder.Append(JsonText.Quote(property.Name)).Append(':');
                    WriteCanonical(builder, property.Value);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (index++ > 0)
                    {
                        builder.Append(',');
                    }

                    WriteCanonical(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.Number:
                builder.Append(DecimalNumber.Parse(value.GetRawText()).ToString());
                break;
            case JsonValueKind.String:
                builder.Append(JsonText.Quote(value.GetString()!));
                break;
            default:
                builder.Append(value.GetRawText());
                break;
        }
    }
}
