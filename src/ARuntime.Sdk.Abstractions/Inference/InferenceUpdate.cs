namespace ARuntime.Sdk.Inference;

/// <summary>One update of a streamed inference: new text, and on the last update the complete result.</summary>
public sealed record InferenceUpdate
{
    /// <summary>Gets the text generated since the previous update (may be empty).</summary>
    public string Text { get; init => field = value ?? string.Empty; } = string.Empty;

    /// <summary>Gets the complete result; set only on the last update.</summary>
    public InferenceResult? Result { get; init; }
}
