namespace ARuntime.Sdk.Contracts;

/// <summary>The consequence class of a request or action. Ordered: a larger value is riskier.</summary>
public enum RiskLevel
{
    /// <summary>Read-only or trivially reversible.</summary>
    Low = 0,

    /// <summary>Reversible changes with limited consequence.</summary>
    Medium = 1,

    /// <summary>Consequential or hard-to-reverse changes.</summary>
    High = 2,

    /// <summary>Irreversible or regulated consequences; always reviewed.</summary>
    Critical = 3,
}
