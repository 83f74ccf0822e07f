namespace ARuntime.Sdk;

/// <summary>What a request consumed, counted against its budget.</summary>
public sealed record UsageSummary
{
    /// <summary>Nothing consumed.</summary>
    public static UsageSummary Empty { get; } = new();

    /// <summary>Gets the prompt (input) tokens over all inference calls.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Gets the prompt tokens served from a prefix cache rather than prefilled.</summary>
    public long CachedPromptTokens { get; init; }

    /// <summary>Gets the generated (output) tokens over all inference calls.</summary>
    public long GeneratedTokens { get; init; }

    /// <summary>Gets the number of inference calls (model turns), including retries and fallbacks.</summary>
    public int ModelTurns { get; init; }

    /// <summary>Gets the number of tool calls executed.</summary>
    public int ToolCalls { get; init; }

    /// <summary>Gets the number of retries (inference, repair and tool retries together).</summary>
    public int Retries { get; init; }

    /// <summary>Gets the number of human reviews the request asked for.</summary>
    public int HumanReviews { get; init; }

    /// <summary>Gets the cost in the host's price-table currency.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets the wall time from admission to result (excluding time paused for approval).</summary>
    public TimeSpan WallTime { get; init; }
}
