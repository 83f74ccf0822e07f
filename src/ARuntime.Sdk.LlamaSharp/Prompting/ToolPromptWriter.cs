using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>
/// Writes the tools on offer and the required reply format into a compact section appended to the system prompt
/// (format <c>aruntime-tools/1</c>, docs/prompting.md):
/// <code>
/// Tools:
/// - get_weather: Gets the current weather. arguments: {city: string, unit?: "c"|"f"}
/// Reply with JSON only, matching: {tool: "get_weather", arguments: get_weather.arguments} | {answer: string}
/// </code>
/// Each tool is one line (name, description, arguments as a compact type); the reply line renders whatever schema the
/// request constrains the output to, abbreviating tool-call variants whose arguments the tool lines already show.
/// </summary>
internal static class ToolPromptWriter
{
    /// <summary>The section format name.</summary>
    public const string FormatName = "aruntime-tools/1";

    /// <summary>Writes the section, or returns <see langword="null"/> when there are no tools and no schema.</summary>
    /// <param name="tools">The tools on offer.</param>
    /// <param name="format">The required output format.</param>
    /// <returns>The section text.</returns>
    public static string? Write(IReadOnlyList<ToolDescriptor> tools, InferenceResponseFormat format)
    {
        var hasSchema = format.Kind == ResponseFormatKind.JsonSchema && format.Schema is not null;
        if (tools.Count == 0 && !hasSchema)
        {
            return null;
        }

        var builder = new StringBuilder();
        var described = new HashSet<string>(StringComparer.Ordinal);
        if (tools.Count > 0)
        {
            builder.Append("Tools:\n");
            foreach (var tool in tools)
            {
                builder.Append("- ").Append(tool.Name);
                var description = OneLine(tool.Description);
                if (description.Length > 0)
                {
                    builder.Append(": ").Append(description);
                    if (!description.EndsWith('.'))
                    {
                        builder.Append('.');
                    }
                }

                builder.Append(" arguments: ").Append(CompactSchemaWriter.Write(tool.InputSchema)).Append('\n');
                described.Add(tool.Name);
            }
        }

        if (hasSchema)
        {
            builder.Append("Reply with JSON only, matching: ").Append(CompactSchemaWriter.Write(format.Schema!.Value, described));
        }
        else
        {
            builder.Append("To call a tool, reply with JSON only: {\"tool\": name, \"arguments\": {...}}");
        }

        return builder.ToString();
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
}
