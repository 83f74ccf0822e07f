using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Budgets;

/// <summary>A request's effective limits: its own budget, with the host's defaults filling the unset dimensions.</summary>
internal sealed record BudgetLimits
{
    public long? MaxPromptTokens { get; init; }

    public long? MaxGeneratedTokens { get; init; }

    public TimeSpan? MaxWallTime { get; init; }

    public decimal? MaxCost { get; init; }

    public int? MaxToolCalls { get; init; }

    public int? MaxRetries { get; init; }

    public int? MaxModelTurns { get; init; }

    public int? MaxHumanReviews { get; init; }

    public static BudgetLimits Resolve(Budget budget, BudgetOptions defaults) => new()
    {
        MaxPromptTokens = budget.MaxPromptTokens ?? defaults.MaxPromptTokens,
        MaxGeneratedTokens = budget.MaxGeneratedTokens ?? defaults.MaxGeneratedTokens,
        MaxWallTime = budget.MaxWallTime ?? defaults.MaxWallTime,
        MaxCost = budget.MaxCost ?? defaults.MaxCost,
        MaxToolCalls = budget.MaxToolCalls ?? defaults.MaxToolCalls,
        MaxRetries = budget.MaxRetries ?? defaults.MaxRetries,
        MaxModelTurns = budget.MaxModelTurns ?? defaults.MaxModelTurns,
        MaxHumanReviews = budget.MaxHumanReviews ?? defaults.MaxHumanReviews,
    };
}
