using System.Globalization;
using System.Text.Json;

namespace ARuntime.Sdk.Validation;

/// <summary>
/// Finds schemas that would make evaluation recurse forever. A loop of applicators that stay on the same value
/// (<c>$ref</c>, <c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>, <c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>,
/// <c>dependentSchemas</c>) never reaches the end of the instance, and JsonSchema.Net only detects plain <c>$ref</c>
/// loops: <c>{"allOf":[{"$ref":"#"}]}</c> overflows the stack, which ends a .NET process. Output contracts can come
/// from remote callers, so such schemas are refused before they are built.
/// </summary>
internal static class SchemaRecursionGuard
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

    /// <summary>Returns why <paramref name="schema"/> cannot be evaluated safely, or <see langword="null"/>.</summary>
    /// <param name="schema">The schema document.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? FindProblem(JsonElement schema)
    {
        var resources = new Dictionary<string, string>(StringComparer.Ordinal);
        var anchors = new Dictionary<(string Resource, string Name), string>();
        var sameValue = new Dictionary<string, List<(string Target, string Via)>>(StringComparer.Ordinal);
        var references = new List<(string From, string Resource, string Reference)>();
        Index(schema, "#", "#", resources, anchors, sameValue, references);

        foreach (var (from, resource, reference) in references)
        {
            if (Resolve(schema, reference, resource, resources, anchors) is not { } target)
            {
                return $"the reference '{reference}' at '{from}' does not point into this schema document (only references within the document are allowed)";
            }

            sameValue[from].Add((target, from + "/$ref"));
        }

        return FindLoop(sameValue);
    }

    private static void Index(
        JsonElement node,
        string pointer,
        string resource,
        Dictionary<string, string> resources,
        Dictionary<(string, string), string> anchors,
        Dictionary<string, List<(string, string)>> sameValue,
        List<(string, string, string)> references)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var edges = new List<(string, string)>();
        sameValue[pointer] = edges;
        if (node.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            var name = id.GetString()!.TrimEnd('#');
            if (pointer != "#")
            {
                resources.TryAdd(name, pointer);
                resource = pointer;
            }
            else
            {
                resources.TryAdd(name, "#");
            }
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
                references.Add((pointer, resource, value.GetString()!));
            }
            else if ((SameValueLists.Contains(name) || PartLists.Contains(name)) && value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var child = at + "/" + index.ToString(CultureInfo.InvariantCulture);
                    Index(item, child, resource, resources, anchors, sameValue, references);
                    if (SameValueLists.Contains(name) && item.ValueKind == JsonValueKind.Object)
                    {
                        edges.Add((child, child));
                    }

                    index++;
                }
            }
            else if ((SameValueMaps.Contains(name) || PartMaps.Contains(name)) && value.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in value.EnumerateObject())
                {
                    var child = at + "/" + Escape(entry.Name);
                    Index(entry.Value, child, resource, resources, anchors, sameValue, references);
                    if (SameValueMaps.Contains(name) && entry.Value.ValueKind == JsonValueKind.Object)
                    {
                        edges.Add((child, child));
                    }
                }
            }
            else if (SameValueSchemas.Contains(name) || PartSchemas.Contains(name))
            {
                Index(value, at, resource, resources, anchors, sameValue, references);
                if (SameValueSchemas.Contains(name) && value.ValueKind == JsonValueKind.Object)
                {
                    edges.Add((at, at));
                }
            }
        }
    }

    private static string? Resolve(
        JsonElement root,
        string reference,
        string resource,
        Dictionary<string, string> resources,
        Dictionary<(string, string), string> anchors)
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
        var node = root;
        foreach (var token in pointer.Split('/').Skip(1))
        {
            var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var next))
            {
                node = next;
            }
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < node.GetArrayLength())
            {
                node = node[i];
            }
            else
            {
                return null;
            }
        }

        return pointer;
    }

    private static string? FindLoop(Dictionary<string, List<(string Target, string Via)>> edges)
    {
        // 1: on the current path, 2: finished. Iterative, so a deep schema cannot overflow the stack here either.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var start in edges.Keys)
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
                var outgoing = edges.TryGetValue(node, out var list) ? list : [];
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
