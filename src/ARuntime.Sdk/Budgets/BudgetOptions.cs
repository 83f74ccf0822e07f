namespace ARuntime.Sdk.Budgets;

/// <summary>
/// The host's default budget: applied to every dimension a request leaves unset. <see langword="null"/> leaves the dimension
/// unlimited (not recommended for tokens and turns).
/// </summary>
public sealed class BudgetOptions
{
    /// <summary>Gets or sets the default maximum prompt tokens per request.</summary>
    public long? MaxPromptTokens { get; set; } = 200_000;

    /// <summary>Gets or sets the default maximum generated tokens per request.</summary>
    public long? MaxGeneratedTokens { get; set; } = 16_384;

    /// <summary>Gets or sets the default maximum wall time per request.</summary>
    public TimeSpan? MaxWallTime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the default maximum cost per request.</summary>
    public decimal? MaxCost { get; set; }

    /// <summary>Gets or sets the default maximum tool calls per request.</summary>
    public int? MaxToolCalls { get; set; } = 16;

    /// <summary>Gets or sets the default maximum retries per request.</summary>
    public int? MaxRetries { get; set; } = 6;

    /// <summary>Gets or sets the default maximum model turns per request.</summary>
    public int? MaxModelTurns { get; set; } = 12;

    /// <summary>Gets or sets the default maximum human reviews per request.</summary>
    public int? MaxHumanReviews { get; set; } = 3;

    /// <summary>Gets the host's price per tool call, by tool name, for cost budgets.</summary>
    public IDictionary<string, decimal> ToolPrices { get; } = new Dictionary<string, decimal>(StringComparer.Ordinal);
}
