namespace ARuntime.Sdk.Events;

/// <summary>Model text as it is generated. Streamed text is a proposal: it becomes an answer only after validation.</summary>
public sealed record TextDeltaEvent : AgentEvent
{
    /// <summary>Gets the new text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the model turn (1-based) the text belongs to.</summary>
    public int Turn { get; init; }
}
