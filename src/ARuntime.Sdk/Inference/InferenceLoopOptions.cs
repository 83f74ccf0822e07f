namespace ARuntime.Sdk.Inference;

/// <summary>How the runtime drives the inference → tool loop.</summary>
public sealed class InferenceLoopOptions
{
    /// <summary>Gets or sets the maximum generated tokens of one model turn (further capped by the remaining budget).</summary>
    public int MaxOutputTokensPerTurn { get; set; } = 512;

    /// <summary>Gets or sets how many times an invalid model output (malformed JSON, schema violation) is sent back for repair before the request fails.</summary>
    public int MaxRepairAttempts { get; set; } = 2;

    /// <summary>Gets or sets the sampling options of every model turn.</summary>
    public SamplingOptions Sampling { get; set; } = SamplingOptions.Default;

    /// <summary>Gets or sets whether the model's text is streamed to <see cref="IAgentRuntime.RunStreamingAsync"/> callers as it is generated.</summary>
    public bool StreamText { get; set; } = true;
}
