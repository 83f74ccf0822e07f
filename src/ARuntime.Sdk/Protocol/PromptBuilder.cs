using System.Text;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Protocol;

/// <summary>
/// Builds the system message of every model turn: the application's instructions, the reply protocol, the assembled context
/// with citation tags, and a plain statement of any context that was requested but unavailable (so the model states it is
/// missing instead of inventing it). Tool schemas are passed to the engine separately (<c>InferenceRequest.Tools</c>), which
/// renders them in its own compact form.
/// </summary>
internal static class PromptBuilder
{
    /// <summary>The version of this prompt layout, recorded in evidence as the prompt template version.</summary>
    public const string TemplateVersion = "aruntime-prompt/1";

    private const string DefaultInstructions = "You are a careful assistant. Use the tools when they help; never invent facts or tool results.";

    public static string BuildSystemMessage(
        string? instructions,
        bool envelope,
        bool hasTools,
        OutputContract? output,
        IReadOnlyList<ContextItem> context,
        IReadOnlyDictionary<string, string> unavailable)
    {
        var builder = new StringBuilder(256);
        builder.Append(string.IsNullOrWhiteSpace(instructions) ? DefaultInstructions : instructions.Trim());
        if (envelope)
        {
            builder.Append("\n\nReply with exactly one JSON object and nothing else: ");
            if (hasTools)
            {
                builder.Append("{\"tool\": \"<tool name>\", \"arguments\": {…}} to call one of the tools, or ");
            }

            builder.Append("{\"answer\": …} to give the final answer.");
            if (output is not null)
            {
                builder.Append(" The answer must satisfy the required output schema");
                if (!string.IsNullOrWhiteSpace(output.Description))
                {
                    builder.Append(": ").Append(output.Description.Trim());
                }

                builder.Append('.');
            }
        }

        if (context.Count > 0)
        {
            builder.Append("\n\nContext (cite items by their tag):");
            foreach (var item in context)
            {
                builder.Append("\n[").Append(item.Source ?? "context").Append(':').Append(item.Id).Append("] ").Append(item.Content);
            }
        }

        if (unavailable.Count > 0)
        {
            builder.Append("\n\nThis context was requested but is unavailable: ");
            var first = true;
            foreach (var (source, reason) in unavailable)
            {
                if (!first)
                {
                    builder.Append(", ");
                }

                builder.Append(source).Append(" (").Append(reason).Append(')');
                first = false;
            }

            builder.Append(". Do not guess what it would say; state that it is missing.");
        }

        return builder.ToString();
    }

    public const string RepairPreamble = "[runtime] Your previous reply could not be used: ";
}
