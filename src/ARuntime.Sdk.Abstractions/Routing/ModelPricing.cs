namespace ARuntime.Sdk.Routing;

/// <summary>The host's price for using a deployment, in the host's currency; used for cost budgets.</summary>
public sealed record ModelPricing
{
    /// <summary>Free (the default for local models).</summary>
    public static ModelPricing Free { get; } = new();

    /// <summary>Gets the price of one million prompt tokens.</summary>
    public decimal PerMillionPromptTokens { get; init; }

    /// <summary>Gets the price of one million generated tokens.</summary>
    public decimal PerMillionGeneratedTokens { get; init; }

    /// <summary>Gets a fixed price per call.</summary>
    public decimal PerCall { get; init; }

    /// <summary>Returns the price of one call.</summary>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="generatedTokens">Generated tokens.</param>
    /// <returns>The price.</returns>
    public decimal PriceOf(long promptTokens, long generatedTokens) =>
        PerCall + (PerMillionPromptTokens * promptTokens / 1_000_000m) + (PerMillionGeneratedTokens * generatedTokens / 1_000_000m);
}
