namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>A rendered prompt and, for the prefix cache, the rendering of its leading system section alone.</summary>
/// <param name="Text">The prompt text.</param>
/// <param name="SystemSectionText">The leading system section rendered on its own, or <see langword="null"/> when the conversation has none.</param>
internal sealed record BuiltPrompt(string Text, string? SystemSectionText);
