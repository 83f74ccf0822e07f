namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>One message as the prompt renderer sees it: a template role and the text.</summary>
/// <param name="Role">The template role (<c>system</c>, <c>user</c> or <c>assistant</c>).</param>
/// <param name="Content">The text.</param>
internal readonly record struct ChatTurn(string Role, string Content);
