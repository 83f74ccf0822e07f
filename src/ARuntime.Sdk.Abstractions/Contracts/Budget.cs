namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The request's budget. A <see langword="null"/> limit means "the host's default" (see the runtime options); a negative
/// limit is rejected at admission. Counters are checked before and after every lifecycle stage; on exhaustion the runtime
/// stops cleanly with a partial, qualified result or a pause for approval.
/// </summary>
public sealed record Budget
{
    /// <summary>A budget that defers every limit to the host's defaults.</summary>
    public static Budget HostDefaults { get; } = new();

    /// <summary>Gets the maximum prompt (input) tokens over all inference calls.</summary>
    public long? MaxPromptTokens { get; init; }

    /// <summary>Gets the maximum generated (output) tokens over all inference calls.</summary>
    public long? MaxGeneratedTokens { get; init; }

    /// <summary>Gets the maximum wall time from admission to result.</summary>
    public TimeSpan? MaxWallTime { get; init; }

    /// <summary>Gets the maximum cost, in the host's price-table currency.</summary>
    public decimal? MaxCost { get; init; }

    /// <summary>Gets the maximum number of tool calls executed.</summary>
    public int? MaxToolCalls { get; init; }

    /// <summary>Gets the maximum number of retries (inference, repair and tool retries together).</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Gets the maximum number of model turns (inference calls) in the tool loop.</summary>
    public int? MaxModelTurns { get; init; }

    /// <summary>Gets the maximum number of human reviews (approval pauses) the request may ask for.</summary>
    public int? MaxHumanReviews { get; init; }
}
