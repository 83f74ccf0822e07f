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

    public BudgetLimits Limits { get; private set; }

    /// <summary>Gets the dimensions already reported as exceeded (so an overrun is recorded once).</summary>
    public HashSet<BudgetDimension> ReportedOverruns { get; } = [];

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

    /// <summary>
    /// Returns the first dimension whose use is strictly over its limit (a hard overrun: for example a prompt larger than the
    /// prompt-token budget, or a call whose price was only known afterwards), if any.
    /// </summary>
    public BudgetDimension? FirstOverrun(TimeSpan wallTime)
    {
        if (Limits.MaxPromptTokens is { } prompt && PromptTokens > prompt)
        {
            return BudgetDimension.PromptTokens;
        }

        if (Limits.MaxGeneratedTokens is { } generated && GeneratedTokens > generated)
        {
            return BudgetDimension.GeneratedTokens;
        }

        if (Limits.MaxCost is { } cost && Cost > cost)
        {
            return BudgetDimension.Cost;
        }

        if (Limits.MaxToolCalls is { } calls && ToolCalls > calls)
        {
            return BudgetDimension.ToolCalls;
        }

        if (Limits.MaxRetries is { } retries && Retries > retries)
        {
            return BudgetDimension.Retries;
        }

        if (Limits.MaxModelTurns is { } turns && ModelTurns > turns)
        {
            return BudgetDimension.ModelTurns;
        }

        return Limits.MaxWallTime is { } wall && wallTime > wall ? BudgetDimension.WallTime : null;
    }

    /// <summary>
    /// Returns how many tokens one call may generate without the call's price exceeding the remaining cost budget or the
    /// route's per-call limit: <see langword="null"/> when neither limits it, and 0 when even the call's fixed and prompt
    /// price is over (the deployment is unaffordable).
    /// </summary>
    /// <param name="pricing">The deployment's price.</param>
    /// <param name="promptTokens">The (estimated) prompt tokens of the call.</param>
    /// <param name="maxCostPerCall">The route's per-call cost limit, if any.</param>
    public long? AffordableGeneratedTokens(Routing.ModelPricing pricing, long promptTokens, decimal? maxCostPerCall)
    {
        ArgumentNullException.ThrowIfNull(pricing);
        var cap = (RemainingCost, maxCostPerCall) switch
        {
            ({ } remaining, { } perCall) => Math.Min(remaining, perCall),
            ({ } remaining, null) => remaining,
            (null, { } perCall) => perCall,
            _ => (decimal?)null,
        };
        if (cap is not { } limit)
        {
            return null;
        }

        var fixedPrice = pricing.PriceOf(promptTokens, 0);
        if (fixedPrice > limit)
        {
            return 0;
        }

        if (pricing.PerMillionGeneratedTokens <= 0m)
        {
            return null;
        }

        var tokens = decimal.Floor((limit - fixedPrice) * 1_000_000m / pricing.PerMillionGeneratedTokens);
        return tokens >= long.MaxValue ? long.MaxValue : (long)tokens;
    }

    /// <summary>Raises the limit of <paramref name="dimension"/> (an approved budget extension).</summary>
    /// <param name="dimension">The dimension.</param>
    /// <param name="limit">The new limit; must be above the current use.</param>
    public void Extend(BudgetDimension dimension, decimal limit)
    {
        Limits = dimension switch
        {
            BudgetDimension.PromptTokens => Limits with { MaxPromptTokens = (long)limit },
            BudgetDimension.GeneratedTokens => Limits with { MaxGeneratedTokens = (long)limit },
            BudgetDimension.Cost => Limits with { MaxCost = limit },
            BudgetDimension.ToolCalls => Limits with { MaxToolCalls = (int)limit },
            BudgetDimension.Retries => Limits with { MaxRetries = (int)limit },
            BudgetDimension.ModelTurns => Limits with { MaxModelTurns = (int)limit },
            BudgetDimension.HumanReviews => Limits with { MaxHumanReviews = (int)limit },
            _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "This budget dimension cannot be extended through approval."),
        };
        ReportedOverruns.Remove(dimension);
    }

    /// <summary>Returns the use of a dimension (wall time in seconds).</summary>
    public decimal Used(BudgetDimension dimension, TimeSpan wallTime) => dimension switch
    {
        BudgetDimension.PromptTokens => PromptTokens,
        BudgetDimension.GeneratedTokens => GeneratedTokens,
        BudgetDimension.Cost => Cost,
        BudgetDimension.ToolCalls => ToolCalls,
        BudgetDimension.Retries => Retries,
        BudgetDimension.ModelTurns => ModelTurns,
        BudgetDimension.HumanReviews => HumanReviews,
        BudgetDimension.WallTime => (decimal)wallTime.TotalSeconds,
        _ => 0m,
    };

    /// <summary>Returns the limit of a dimension (wall time in seconds), or <see langword="null"/> when unlimited.</summary>
    public decimal? Limit(BudgetDimension dimension) => dimension switch
    {
        BudgetDimension.PromptTokens => Limits.MaxPromptTokens,
        BudgetDimension.GeneratedTokens => Limits.MaxGeneratedTokens,
        BudgetDimension.Cost => Limits.MaxCost,
        BudgetDimension.ToolCalls => Limits.MaxToolCalls,
        BudgetDimension.Retries => Limits.MaxRetries,
        BudgetDimension.ModelTurns => Limits.MaxModelTurns,
        BudgetDimension.HumanReviews => Limits.MaxHumanReviews,
        BudgetDimension.WallTime => Limits.MaxWallTime is { } wall ? (decimal)wall.TotalSeconds : null,
        _ => null,
    };

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
        BudgetDimension.WallTime => string.Create(CultureInfo.InvariantCulture, $"wall-time limit {Limits.MaxWallTime:c}"),
        _ => dimension.ToString(),
    };

    private BudgetDimension? BlocksCommon(TimeSpan wallTime)
    {
        // A cost budget that is exactly used up still allows free work; an overrun blocks everything that consumes. Whether a
        // priced model call fits is decided per deployment (AffordableGeneratedTokens), so a free fallback can still answer.
        if (Limits.MaxCost is { } cost && Cost > cost)
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
