namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>Renders chat turns to prompt text.</summary>
internal interface IPromptTemplate
{
    /// <summary>Gets the format's name and version, recorded in the engine metadata.</summary>
    string Name { get; }

    /// <summary>Gets whether this is the ARuntime fallback format.</summary>
    bool IsFallback { get; }

    /// <summary>Renders the turns.</summary>
    /// <param name="turns">The turns.</param>
    /// <param name="addAssistantPrefix">Whether to end with the start of an assistant message.</param>
    /// <returns>The prompt text.</returns>
    string Render(IReadOnlyList<ChatTurn> turns, bool addAssistantPrefix);
}
