using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Risk;

/// <summary>A request's assessed risk.</summary>
public sealed record RiskAssessment
{
    /// <summary>An assessment of a low-risk, reversible, unlabelled request.</summary>
    public static RiskAssessment Low { get; } = new();

    /// <summary>Gets the consequence level.</summary>
    public RiskLevel Level { get; init; } = RiskLevel.Low;

    /// <summary>Gets whether the request can cause irreversible effects.</summary>
    public bool Irreversible { get; init; }

    /// <summary>Gets the classification of the request's data.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Gets whether every side effect needs human review.</summary>
    public bool ReviewRequired { get; init; }

    /// <summary>Gets reason codes explaining the assessment.</summary>
    public IReadOnlyList<string> ReasonCodes { get; init => field = value ?? []; } = [];
}
