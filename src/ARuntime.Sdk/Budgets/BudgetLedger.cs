using System.Globalization;

namespace ARuntime.Sdk.Budgets;

/// <summary>
/// The request's budget counters. Checked before and after every stage; the first exhausted dimension ends the tool loop
/// cleanly. Not thread-safe: a request's stages run one at a time.
/// </summary>
internal sealed class BudgetLedger
{
    public BudgetLedger(BudgetLimits limits)
    {
        Limits = limits;
    }

    public BudgetLimits Limits { get; }

    public long PromptTokens { get; set; }

    public long CachedPromptTokens { get; set; }

    public long GeneratedTokens { get; set; }

    public decimal Cost { get; set; }

    public int ToolCalls { get; set; }

    public int Retries { get; set; }

    public int ModelTurns { get; set; }

    public int HumanReviews { get; set; }

    /// <summary>Gets or sets the wall time consumed before the current run (time spent in earlier runs of a resumed request).</summary>
    public TimeSpan EarlierWallTime { get; set; }

    /// <summary>Returns the first exhausted dimension that blocks another model turn, if any.</summary>
    public BudgetDimension? BlocksInference(TimeSpan wallTime)
    {
        if (Limits.MaxModelTurns is { } turns && ModelTurns >= turns)
        {
            return BudgetDimension.ModelTurns;
        }

        if (Limits.MaxPromptTokens is { } prompt && PromptTokens >= prompt)
        {
            return BudgetDimension.PromptTokens;
        }

        if (Limits.MaxGeneratedTokens is { } generated && GeneratedTokens >= generated)
        {
            return BudgetDimension.GeneratedTokens;
        }

        return BlocksCommon(wallTime);
    }

    /// <summary>Returns the first exhausted dimension that blocks another tool call, if any.</summary>
    public BudgetDimension? BlocksToolCall(TimeSpan wallTime, decimal toolPrice)
    {
        if (Limits.MaxToolCalls is { } calls && ToolCalls >= calls)
        {
            return BudgetDimension.ToolCalls;
        }

        if (Limits.MaxCost is { } cost && Cost + toolPrice > cost)
        {
            return BudgetDimension.Cost;
        }

        return BlocksCommon(wallTime);
    }

    /// <summary>Returns whether a retry is within budget.</summary>
    public bool CanRetry => Limits.MaxRetries is not { } retries || Retries < retries;

    /// <summary>Returns whether another human review is within budget.</summary>
    public bool CanRequestReview => Limits.MaxHumanReviews is not { } reviews || HumanReviews < reviews;

    /// <summary>Returns how many tokens the next model turn may generate (null when unlimited).</summary>
    public int? RemainingGeneratedTokens =>
        Limits.MaxGeneratedTokens is { } max ? (int)Math.Clamp(max - GeneratedTokens, 0, int.MaxValue) : null;

    /// <summary>Returns the remaining cost budget (null when unlimited).</summary>
    public decimal? RemainingCost => Limits.MaxCost is { } max ? Math.Max(0m, max - Cost) : null;

    /// <summary>Describes a dimension's use against its limit, for qualifications and evidence.</summary>
    public string Describe(BudgetDimension dimension) => dimension switch
    {
        BudgetDimension.PromptTokens => Format(PromptTokens, Limits.MaxPromptTokens),
        BudgetDimension.GeneratedTokens => Format(GeneratedTokens, Limits.MaxGeneratedTokens),
        BudgetDimension.Cost => string.Create(CultureInfo.InvariantCulture, $"{Cost} of {Limits.MaxCost}"),
        BudgetDimension.ToolCalls => Format(ToolCalls, Limits.MaxToolCalls),
        BudgetDimension.Retries => Format(Retries, Limits.MaxRetries),
        BudgetDimension.ModelTurns => Format(ModelTurns, Limits.MaxModelTurns),
        BudgetDimension.HumanReviews => Format(HumanReviews, Limits.MaxHumanReviews),
        BudgetDimension.WallTime => string.Create(CultureInfo.InvariantCulture, $"wall time limit {Limits.MaxWallTime}"),
        _ => dimension.ToString(),
    };

    private BudgetDimension? BlocksCommon(TimeSpan wallTime)
    {
        if (Limits.MaxCost is { } cost && Cost >= cost)
        {
            return BudgetDimension.Cost;
        }

        if (Limits.MaxWallTime is { } maxWall && wallTime >= maxWall)
        {
            return BudgetDimension.WallTime;
        }

        return null;
    }

    private static string Format(long used, long? limit) =>
        string.Create(CultureInfo.InvariantCulture, $"{used} of {limit}");
}
