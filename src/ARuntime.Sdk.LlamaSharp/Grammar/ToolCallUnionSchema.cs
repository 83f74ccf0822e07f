using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>
/// Builds the schema of "one tool call or the final answer" that the engine constrains a turn with:
/// <c>{"tool": &lt;const name&gt;, "arguments": &lt;that tool's input schema&gt;}</c> for each tool, or
/// <c>{"answer": &lt;answer schema&gt;}</c>, as a <c>oneOf</c> whose branches are provably exclusive (so it compiles).
/// Each tool's schema moves under <c>$defs</c>; its internal references (<c>#/...</c>, <c>#anchor</c>, its own
/// <c>$id</c>) are rebased so they still point into that tool's schema.
/// </summary>
internal static class ToolCallUnionSchema
{
    /// <summary>The property holding the tool name.</summary>
    public const string ToolProperty = "tool";

    /// <summary>The property holding the arguments.</summary>
    public const string ArgumentsProperty = "arguments";

    /// <summary>The property holding the final answer.</summary>
    public const string AnswerProperty = "answer";

    private static readonly string[] DataKeywords = ["enum", "const", "default", "examples"];

    /// <summary>Builds the union.</summary>
    /// <param name="tools">The tools: name and input schema.</param>
    /// <param name="answerSchema">The schema of the final answer; null for no answer branch.</param>
    /// <returns>The union schema (draft 2020-12).</returns>
    /// <exception cref="ArgumentException">No branch at all, a duplicate or empty tool name, or a tool schema that
    /// declares a draft other than 2020-12 (its meaning would change inside the union).</exception>
    public static JsonElement Build(IReadOnlyList<(string Name, JsonElement InputSchema)> tools, JsonElement? answerSchema)
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (tools.Count == 0 && answerSchema is null)
        {
            throw new ArgumentException("The union needs at least one tool or an answer schema.", nameof(tools));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var branches = new JsonArray();
        var definitions = new JsonObject();
        for (var index = 0; index < tools.Count; index++)
        {
            var (name, schema) = tools[index];
            if (string.IsNullOrEmpty(name) || !names.Add(name))
            {
                throw new ArgumentException($"Tool names must be non-empty and unique ('{name}').", nameof(tools));
            }

            var definition = "tool" + index.ToString(CultureInfo.InvariantCulture);
            definitions[definition] = Rebase(schema, definition, $"tool '{name}'");
            branches.Add(Branch(new JsonObject
            {
                [ToolProperty] = new JsonObject { ["const"] = name },
                [ArgumentsProperty] = new JsonObject { ["$ref"] = "#/$defs/" + definition },
            }));
        }

        if (answerSchema is { } answer)
        {
            definitions["answer"] = Rebase(answer, "answer", "the answer schema");
            branches.Add(Branch(new JsonObject { [AnswerProperty] = new JsonObject { ["$ref"] = "#/$defs/answer" } }));
        }

        var union = new JsonObject { ["oneOf"] = branches, ["$defs"] = definitions };
        using var document = JsonDocument.Parse(union.ToJsonString());
        return document.RootElement.Clone();
    }

    private static JsonObject Branch(JsonObject properties)
    {
        var required = new JsonArray();
        foreach (var (key, _) in properties)
        {
            required.Add(key);
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
            ["additionalProperties"] = false,
        };
    }

    private static JsonNode? Rebase(JsonElement schema, string definition, string what)
    {
        var node = JsonNode.Parse(schema.GetRawText());
        if (node is not JsonObject root)
        {
            return node; // true / false
        }

        if (root["$schema"] is JsonValue declared && declared.TryGetValue<string>(out var dialect) &&
            dialect.TrimEnd('#') != "https://json-schema.org/draft/2020-12/schema")
        {
            throw new ArgumentException($"The schema of {what} declares '{dialect}'; only draft 2020-12 (or no $schema) can be combined.", nameof(schema));
        }

        var baseId = root["$id"] is JsonValue id && id.TryGetValue<string>(out var idText) ? idText.TrimEnd('#') : null;
        root.Remove("$schema");
        root.Remove("$id");
        var prefix = "#/$defs/" + definition;
        var anchorPrefix = definition + "-";

        void Walk(JsonNode? current)
        {
            switch (current)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj.ToList())
                    {
                        if (key == "$ref" && value is JsonValue refValue && refValue.TryGetValue<string>(out var reference))
                        {
                            obj[key] = RebaseReference(reference, baseId, prefix, anchorPrefix);
                        }
                        else if (key == "$anchor" && value is JsonValue anchorValue && anchorValue.TryGetValue<string>(out var anchor))
                        {
                            obj[key] = anchorPrefix + anchor;
                        }
                        else if (!DataKeywords.Contains(key))
                        {
                            Walk(value);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Walk(item);
                    }

                    break;
            }
        }

        Walk(root);
        return root;
    }

    private static string RebaseReference(string reference, string? baseId, string prefix, string anchorPrefix)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var documentPart = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? string.Empty : reference[(hash + 1)..];
        if (documentPart.Length > 0 && documentPart != baseId)
        {
            return reference; // External: the compiler rejects it with a clear error.
        }

        if (fragment.Length == 0 || fragment[0] == '/')
        {
            return prefix + fragment;
        }

        return "#" + anchorPrefix + fragment;
    }
}
