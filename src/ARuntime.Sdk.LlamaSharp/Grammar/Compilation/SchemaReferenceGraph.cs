using System.Text.Json;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// Checks the references of a schema document before anything evaluates it. A cycle of in-place applicators
/// (<c>$ref</c>, <c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>, ...) that never descends into a property or an item makes
/// validators recurse forever on the same value — in .NET a stack overflow, which ends the process — so such schemas are
/// rejected, as are reference chains too deep to evaluate safely.
/// </summary>
internal static class SchemaReferenceGraph
{
    private const int MaxInPlaceDepth = 200;

    private static readonly string[] InPlaceArrays = ["allOf", "anyOf", "oneOf"];
    private static readonly string[] InPlaceSchemas = ["not", "if", "then", "else"];
    private static readonly string[] InPlaceMaps = ["dependentSchemas"];
    private static readonly string[] DescendingSchemas = ["additionalProperties", "additionalItems", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];
    private static readonly string[] DescendingMaps = ["properties", "patternProperties"];
    private static readonly string[] DescendingArrays = ["prefixItems"];

    /// <summary>Checks every schema reachable from the root.</summary>
    /// <exception cref="UnsupportedSchemaException">An in-place reference cycle, or a chain deeper than evaluation allows.</exception>
    public static void Check(SchemaDocument document)
    {
        var inPlace = new Dictionary<string, List<(string Target, string Keyword, string Pointer)>>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        var reachable = new HashSet<string>(StringComparer.Ordinal) { string.Empty };
        pending.Push(string.Empty);
        while (pending.Count > 0)
        {
            var pointer = pending.Pop();
            var edges = new List<(string, string, string)>();
            inPlace[pointer] = edges;
            if (document.Resolve(pointer) is not { ValueKind: JsonValueKind.Object } schema)
            {
                continue;
            }

            void Reach(string target, bool sameInstance, string keyword)
            {
                if (sameInstance)
                {
                    edges.Add((target, keyword, SchemaDocument.Append(pointer, keyword)));
                }

                if (reachable.Add(target))
                {
                    pending.Push(target);
                }
            }

            if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
            {
                Reach(document.ResolveReference(reference.GetString()!, SchemaDocument.Append(pointer, "$ref")), sameInstance: true, "$ref");
            }

            foreach (var property in schema.EnumerateObject())
            {
                var name = property.Name;
                var value = property.Value;
                var at = SchemaDocument.Append(pointer, name);
                if (InPlaceArrays.Contains(name) || DescendingArrays.Contains(name) || (name == "items" && value.ValueKind == JsonValueKind.Array))
                {
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        for (var i = 0; i < value.GetArrayLength(); i++)
                        {
                            Reach(SchemaDocument.Append(at, i), InPlaceArrays.Contains(name), name);
                        }
                    }
                }
                else if (InPlaceSchemas.Contains(name) || DescendingSchemas.Contains(name) || name == "items")
                {
                    Reach(at, InPlaceSchemas.Contains(name), name);
                }
                else if ((InPlaceMaps.Contains(name) || DescendingMaps.Contains(name)) && value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var entry in value.EnumerateObject())
                    {
                        Reach(SchemaDocument.Append(at, entry.Name), InPlaceMaps.Contains(name), name);
                    }
                }
            }
        }

        FindCycles(inPlace);
    }

    private static void FindCycles(Dictionary<string, List<(string Target, string Keyword, string Pointer)>> edges)
    {
        // Iterative depth-first search; the path length bounds in-place chains.
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        foreach (var start in edges.Keys)
        {
            if (state.ContainsKey(start))
            {
                continue;
            }

            var stack = new Stack<(string Node, int Edge)>();
            stack.Push((start, 0));
            state[start] = 1;
            while (stack.Count > 0)
            {
                var (node, index) = stack.Pop();
                var outgoing = edges.TryGetValue(node, out var list) ? list : [];
                if (index < outgoing.Count)
                {
                    stack.Push((node, index + 1));
                    var (target, keyword, pointer) = outgoing[index];
                    var targetState = state.GetValueOrDefault(target);
                    if (targetState == 1)
                    {
                        throw new UnsupportedSchemaException(
                            keyword,
                            pointer,
                            "the schema refers back to itself through $ref/allOf/anyOf/oneOf without descending into a property or an item; validators cannot evaluate it (they would recurse forever)");
                    }

                    if (targetState == 0)
                    {
                        state[target] = 1;
                        if (stack.Count > MaxInPlaceDepth)
                        {
                            throw new UnsupportedSchemaException(keyword, pointer, "the chain of $ref/allOf/anyOf/oneOf is too deep to evaluate safely");
                        }

                        stack.Push((target, 0));
                    }
                }
                else
                {
                    state[node] = 2;
                }
            }
        }
    }
}
