using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>
/// Turns an <see cref="InferenceRequest"/> into prompt text: maps roles (tool results become user turns labelled
/// <c>Tool result (name):</c>, because llama.cpp's built-in templates do not all know a tool role), appends the compact
/// tool and reply-format section to the first system message (adding one when there is none), guards message text and
/// the tool section against forged control tokens, and renders through the model's template or the fallback format.
/// </summary>
internal sealed class PromptBuilder
{
    private readonly IPromptTemplate template;
    private readonly SpecialTokenGuard guard;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="template">The template.</param>
    /// <param name="guard">The control-token guard.</param>
    public PromptBuilder(IPromptTemplate template, SpecialTokenGuard guard)
    {
        this.template = template;
        this.guard = guard;
    }

    /// <summary>Gets the template.</summary>
    public IPromptTemplate Template => template;

    /// <summary>Builds the prompt of a request.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The prompt.</returns>
    public BuiltPrompt Build(InferenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var turns = ToTurns(request);
        var text = template.Render(turns, addAssistantPrefix: true);

        var systemCount = 0;
        while (systemCount < turns.Count && turns[systemCount].Role == "system")
        {
            systemCount++;
        }

        var systemText = systemCount == 0 ? null : template.Render(turns.Take(systemCount).ToList(), addAssistantPrefix: false);
        return new BuiltPrompt(text, systemText);
    }

    private List<ChatTurn> ToTurns(InferenceRequest request)
    {
        // Tool names, descriptions and schemas may come from an MCP server: guarded like message text.
        var toolSection = ToolPromptWriter.Write(request.Tools, request.ResponseFormat) is { } section ? guard.Neutralize(section) : null;
        var turns = new List<ChatTurn>(request.Messages.Count + 1);
        var sectionPlaced = toolSection is null;
        foreach (var message in request.Messages)
        {
            ArgumentNullException.ThrowIfNull(message);
            var content = guard.Neutralize(message.Content ?? string.Empty);
            switch (message.Role)
            {
                case MessageRole.System:
                    if (!sectionPlaced)
                    {
                        content = content.Length == 0 ? toolSection! : content.TrimEnd() + "\n\n" + toolSection;
                        sectionPlaced = true;
                    }

                    turns.Add(new ChatTurn("system", content));
                    break;
                case MessageRole.Assistant:
                    turns.Add(new ChatTurn("assistant", content));
                    break;
                case MessageRole.Tool:
                    var label = string.IsNullOrEmpty(message.ToolName) ? "Tool result:\n" : $"Tool result ({guard.Neutralize(message.ToolName)}):\n";
                    turns.Add(new ChatTurn("user", label + content));
                    break;
                default:
                    turns.Add(new ChatTurn("user", content));
                    break;
            }
        }

        if (!sectionPlaced)
        {
            turns.Insert(0, new ChatTurn("system", toolSection!));
        }

        return turns;
    }
}
