using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>
/// The ARuntime fallback format (version 1) for models without a chat template, such as base models: a plain labelled
/// transcript. System text comes first without a label; then <c>User: </c> and <c>Assistant: </c> turns, each followed
/// by a blank line; the prompt ends with <c>Assistant:</c>. Because a base model may go on to write the next turn, the
/// engine stops free-text output at <see cref="ImplicitStopSequences"/>. Documented in docs/prompting.md.
/// </summary>
internal sealed class FallbackPromptTemplate : IPromptTemplate
{
    /// <summary>The format name recorded in metadata.</summary>
    public const string FormatName = "aruntime-fallback/1";

    /// <summary>Gets the shared instance.</summary>
    public static FallbackPromptTemplate Instance { get; } = new();

    /// <summary>Gets the stop sequences the fallback format adds to free-text requests.</summary>
    public static IReadOnlyList<string> ImplicitStopSequences { get; } = ["\nUser:"];

    /// <inheritdoc />
    public string Name => FormatName;

    /// <inheritdoc />
    public bool IsFallback => true;

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatTurn> turns, bool addAssistantPrefix)
    {
        var builder = new StringBuilder();
        foreach (var turn in turns)
        {
            var label = turn.Role switch
            {
                "system" => null,
                "assistant" => "Assistant: ",
                _ => "User: ",
            };

            builder.Append(label).Append(turn.Content.Trim()).Append("\n\n");
        }

        if (addAssistantPrefix)
        {
            builder.Append("Assistant:");
        }

        return builder.ToString();
    }
}
