using System.Globalization;
using System.Text.Json;
using Json.Pointer;

namespace ARuntime.Sdk.Validation;

/// <summary>
/// Finds schemas that would make evaluation recurse forever. A loop of applicators that stay on the same value
/// (<c>$ref</c>, <c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>, <c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>,
/// <c>dependentSchemas</c>) never reaches the end of the instance, and JsonSchema.Net only detects plain <c>$ref</c>
/// loops: <c>{"allOf":[{"$ref":"#"}]}</c> overflows the stack, which ends a .NET process. Output contracts can come
/// from remote callers, so such schemas are refused before they are built.
/// </summary>
internal sealed class SchemaRecursionGuard
{
    private const int MaxSameValueDepth = 128;

    private static readonly HashSet<string> SameValueLists = new(StringComparer.Ordinal) { "allOf", "anyOf", "oneOf" };
    private static readonly HashSet<string> SameValueSchemas = new(StringComparer.Ordinal) { "not", "if", "then", "else" };
    private static readonly HashSet<string> SameValueMaps = new(StringComparer.Ordinal) { "dependentSchemas", "dependencies" };
    private static readonly HashSet<string> References = new(StringComparer.Ordinal) { "$ref", "$dynamicRef", "$recursiveRef" };

    // Keywords whose subschemas apply to a part of the value (a property, an item) or hold definitions: walked to find
    // every subschema, but they end any loop.
    private static readonly HashSet<string> PartLists = new(StringComparer.Ordinal) { "prefixItems", "items" };
    private static readonly HashSet<string> PartSchemas = new(StringComparer.Ordinal)
    {
        "items", "additionalItems", "additionalProperties", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties",
    };

    private static readonly HashSet<string> PartMaps = new(StringComparer.Ordinal) { "properties", "patternProperties", "$defs", "definitions" };

    private readonly JsonElement root;

    // Subschemas by their pointer ("#/..."): the subschemas each applies to the same value, and where it says so.
    private readonly Dictionary<string, List<(string Target, string Via)>> sameValue = new(StringComparer.Ordinal);

    // Embedded resources by $id, anchors by (resource, name), and every reference with the resource it is resolved in.
    private readonly Dictionary<string, string> resources = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Resource, string Name), string> anchors = [];
    private readonly List<(string From, string Keyword, string Resource, string Reference)> references = [];

    private SchemaRecursionGuard(JsonElement root)
    {
        this.root = root;
    }

    /// <summary>Returns why <paramref name="schema"/> cannot be evaluated safely, or <see langword="null"/>.</summary>
    /// <param name="schema">The schema document.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? FindProblem(JsonElement schema)
    {
        var guard = new SchemaRecursionGuard(schema);
        guard.Index(schema, "#", "#");
        return guard.LinkReferences() ?? guard.FindLoop();
    }

    private void Index(JsonElement node, string pointer, string resource)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var edges = new List<(string, string)>();
        sameValue[pointer] = edges;
        if (node.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            resources.TryAdd(id.GetString()!.TrimEnd('#'), pointer);
            resource = pointer;
        }

        foreach (var keyword in (ReadOnlySpan<string>)["$anchor", "$dynamicAnchor"])
        {
            if (node.TryGetProperty(keyword, out var anchor) && anchor.ValueKind == JsonValueKind.String)
            {
                anchors.TryAdd((resource, anchor.GetString()!), pointer);
            }
        }

        foreach (var property in node.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            var at = pointer + "/" + Escape(name);
            if (References.Contains(name) && value.ValueKind == JsonValueKind.String)
            {
                references.Add((pointer, name, resource, value.GetString()!));
            }
            else if ((SameValueLists.Contains(name) || PartLists.Contains(name)) && value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Child(item, at + "/" + index.ToString(CultureInfo.InvariantCulture), resource, SameValueLists.Contains(name), edges);
                    index++;
                }
            }
            else if ((SameValueMaps.Contains(name) || PartMaps.Contains(name)) && value.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in value.EnumerateObject())
                {
                    Child(entry.Value, at + "/" + Escape(entry.Name), resource, SameValueMaps.Contains(name), edges);
                }
            }
            else if (SameValueSchemas.Contains(name) || PartSchemas.Contains(name))
            {
                Child(value, at, resource, SameValueSchemas.Contains(name), edges);
            }
        }
    }

    private void Child(JsonElement child, string pointer, string resource, bool appliesToSameValue, List<(string, string)> edges)
    {
        Index(child, pointer, resource);
        if (appliesToSameValue && child.ValueKind == JsonValueKind.Object)
        {
            edges.Add((pointer, pointer));
        }
    }

    private string? LinkReferences()
    {
        foreach (var (from, keyword, resource, reference) in references)
        {
            if (Resolve(reference, resource) is not { } target)
            {
                return $"the reference '{reference}' at '{from}' does not point into this schema document (only references within the document are allowed)";
            }

            sameValue[from].Add((target, from + "/" + keyword));
        }

        return null;
    }

    private string? Resolve(string reference, string resource)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var location = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? string.Empty : Uri.UnescapeDataString(reference[(hash + 1)..]);
        if (location.Length > 0)
        {
            // Only resources embedded in this document (by their $id) can be referred to: nothing is fetched.
            if (!resources.TryGetValue(location, out var embedded))
            {
                return null;
            }

            resource = embedded;
        }

        if (fragment.Length == 0)
        {
            return resource;
        }

        if (fragment[0] != '/')
        {
            return anchors.TryGetValue((resource, fragment), out var anchored) ? anchored : null;
        }

        // A JSON Pointer within the resource: it must exist.
        var pointer = resource + fragment;
        return JsonPointer.TryParse(pointer[1..], out var parsed) && parsed.Evaluate(root) is not null ? pointer : null;
    }

    private string? FindLoop()
    {
        // 1: on the current path, 2: finished. Iterative, so a deep schema cannot overflow the stack here either.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var start in sameValue.Keys)
        {
            if (state.ContainsKey(start))
            {
                continue;
            }

            var path = new Stack<(string Node, int Next)>();
            path.Push((start, 0));
            state[start] = 1;
            while (path.Count > 0)
            {
                var (node, next) = path.Pop();
                var outgoing = sameValue.TryGetValue(node, out var list) ? list : [];
                if (next >= outgoing.Count)
                {
                    state[node] = 2;
                    continue;
                }

                path.Push((node, next + 1));
                var (target, via) = outgoing[next];
                switch (state.GetValueOrDefault(target))
                {
                    case 1:
                        return $"'{via}' leads back to '{target}' without descending into a property or an item: evaluating it would recurse forever";
                    case 0 when path.Count >= MaxSameValueDepth:
                        return $"'{via}' nests more than {MaxSameValueDepth} applicators on the same value";
                    case 0:
                        state[target] = 1;
                        path.Push((target, 0));
                        break;
                }
            }
        }

        return null;
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
