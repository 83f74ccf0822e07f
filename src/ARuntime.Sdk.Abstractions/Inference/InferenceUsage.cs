namespace ARuntime.Sdk.Inference;

/// <summary>Token-level telemetry of one inference call.</summary>
public sealed record InferenceUsage
{
    /// <summary>Gets the number of prompt tokens, including those served from the prefix cache.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Gets the number of prompt tokens whose KV state came from the prefix cache instead of prefill.</summary>
    public int CachedPromptTokens { get; init; }

    /// <summary>Gets the number of generated tokens.</summary>
    public int GeneratedTokens { get; init; }

    /// <summary>Gets the time the call waited in the engine's queue before it was admitted.</summary>
    public TimeSpan QueueWait { get; init; }

    /// <summary>Gets the time from the call to the first generated token (including queue wait and prefill).</summary>
    public TimeSpan TimeToFirstToken { get; init; }

    /// <summary>Gets the total time of the call.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets the decode rate: generated tokens per second after the first token.</summary>
    public double DecodeTokensPerSecond =>
        GeneratedTokens > 1 && Duration > TimeToFirstToken ? (GeneratedTokens - 1) / (Duration - TimeToFirstToken).TotalSeconds : 0d;
}
