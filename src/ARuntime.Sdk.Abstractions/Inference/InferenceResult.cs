namespace ARuntime.Sdk.Inference;

/// <summary>The outcome of one inference call: the text (a proposal, not yet an answer), why it stopped, and its telemetry.</summary>
public sealed record InferenceResult
{
    /// <summary>Gets the generated text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets tool calls proposed through the engine's native tool calling, if it has one.</summary>
    public IReadOnlyList<ProposedToolCall> ToolCalls { get; init => field = value ?? []; } = [];

    /// <summary>Gets why generation stopped.</summary>
    public required StopReason StopReason { get; init; }

    /// <summary>Gets the token-level telemetry.</summary>
    public InferenceUsage Usage { get; init => field = value ?? new(); } = new();

    /// <summary>Gets the model id that produced the text.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the model version that produced the text.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Gets the engine name and version that produced the text.</summary>
    public string? EngineVersion { get; init; }
}
