namespace ARuntime.Sdk.Inference;

/// <summary>
/// A tool call an engine with native tool calling proposes. It is unvalidated model output: the runtime parses and validates
/// it exactly like a call it finds in the text.
/// </summary>
public sealed record ProposedToolCall
{
    /// <summary>Gets the call id the engine assigned, if any.</summary>
    public string? CallId { get; init; }

    /// <summary>Gets the proposed tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the proposed arguments as JSON text (possibly malformed).</summary>
    public required string ArgumentsJson { get; init; }
}
