namespace ARuntime.Sdk.Inference;

/// <summary>How tokens are sampled.</summary>
public sealed record SamplingOptions
{
    /// <summary>The engine's defaults.</summary>
    public static SamplingOptions Default { get; } = new();

    /// <summary>Greedy decoding (temperature 0): deterministic for a given model, prompt and engine.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0f };

    /// <summary>Gets the temperature; 0 is greedy.</summary>
    public float Temperature { get; init; } = 0.7f;

    /// <summary>Gets the nucleus-sampling probability mass.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Gets the number of most likely tokens considered; 0 considers all.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Gets the repetition penalty; 1 disables it.</summary>
    public float RepeatPenalty { get; init; } = 1.0f;

    /// <summary>Gets the random seed; <see langword="null"/> picks one.</summary>
    public uint? Seed { get; init; }
}
