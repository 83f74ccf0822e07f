namespace ARuntime.Sdk.Budgets;

/// <summary>A dimension of a request's budget.</summary>
public enum BudgetDimension
{
    /// <summary>Prompt (input) tokens.</summary>
    PromptTokens = 0,

    /// <summary>Generated (output) tokens.</summary>
    GeneratedTokens = 1,

    /// <summary>Wall time from admission.</summary>
    WallTime = 2,

    /// <summary>Cost in the host's currency.</summary>
    Cost = 3,

    /// <summary>Tool calls executed.</summary>
    ToolCalls = 4,

    /// <summary>Retries.</summary>
    Retries = 5,

    /// <summary>Model turns.</summary>
    ModelTurns = 6,

    /// <summary>Human reviews.</summary>
    HumanReviews = 7,
}
