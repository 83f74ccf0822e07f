namespace ARuntime.Sdk.Context;

/// <summary>What happened when one source was asked (recorded in evidence).</summary>
public sealed record ContextSourceReport
{
    /// <summary>Gets the source name.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the number of items the source returned.</summary>
    public int Returned { get; init; }

    /// <summary>Gets the number of items kept after filtering.</summary>
    public int Kept { get; init; }

    /// <summary>Gets the number of attempts (1 plus retries).</summary>
    public int Attempts { get; init; }

    /// <summary>Gets the fallback source used, if the source failed and an approved fallback answered.</summary>
    public string? FallbackUsed { get; init; }

    /// <summary>Gets the reason codes (for example <c>context.timeout</c>, <c>context.stale</c>, <c>context.over_budget</c>).</summary>
    public IReadOnlyList<string> ReasonCodes { get; init; } = [];

    /// <summary>Gets the source's index version.</summary>
    public string? IndexVersion { get; init; }
}
