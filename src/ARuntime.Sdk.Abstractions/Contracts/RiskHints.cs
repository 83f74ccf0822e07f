namespace ARuntime.Sdk.Contracts;

/// <summary>
/// What the host knows about the request's risk. Hints can only raise the risk the runtime assigns at risk classification,
/// never lower it below what the tools and data imply.
/// </summary>
public sealed record RiskHints
{
    /// <summary>Gets the minimum risk level the host asserts.</summary>
    public RiskLevel? Level { get; init; }

    /// <summary>Gets whether the host requires human review of every side effect in this request.</summary>
    public bool RequireReview { get; init; }

    /// <summary>Gets free-form host risk tags (for policy rules).</summary>
    public IReadOnlyList<string> Tags { get; init => field = value ?? []; } = [];
}
