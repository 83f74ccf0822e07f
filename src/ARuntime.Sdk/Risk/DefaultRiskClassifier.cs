using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Risk;

/// <summary>
/// Assigns risk from what the request can do and what it carries: the most consequential offered tool sets the floor
/// (irreversible → high, reversible write → medium), restricted data raises it, and the host's hints can only raise it further.
/// </summary>
public sealed class DefaultRiskClassifier : IRiskClassifier
{
    /// <inheritdoc />
    public ValueTask<RiskAssessment> ClassifyAsync(RiskContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reasons = new List<string>();
        var level = RiskLevel.Low;
        var irreversible = false;
        foreach (var tool in context.OfferedTools)
        {
            switch (tool.SideEffect)
            {
                case SideEffectClass.Irreversible:
                    irreversible = true;
                    level = Max(level, RiskLevel.High, reasons, "tool.irreversible:" + tool.Name);
                    break;
                case SideEffectClass.ReversibleWrite:
                    level = Max(level, RiskLevel.Medium, reasons, "tool.reversible_write:" + tool.Name);
                    break;
            }
        }

        var classification = context.Request.Classification.Combine(context.Request.Task.Classification);
        if (classification.Sensitivity >= Sensitivity.Restricted)
        {
            level = Max(level, RiskLevel.High, reasons, "data.restricted");
        }

        var hints = context.Request.Risk;
        if (hints?.Level is { } hinted)
        {
            level = Max(level, hinted, reasons, "hint.level");
        }

        var review = hints?.RequireReview == true || level == RiskLevel.Critical;
        if (review)
        {
            reasons.Add(hints?.RequireReview == true ? "hint.review_required" : "risk.critical_requires_review");
        }

        return ValueTask.FromResult(new RiskAssessment
        {
            Level = level,
            Irreversible = irreversible,
            Classification = classification,
            ReviewRequired = review,
            ReasonCodes = reasons,
        });
    }

    private static RiskLevel Max(RiskLevel current, RiskLevel candidate, List<string> reasons, string reason)
    {
        if (candidate > current)
        {
            reasons.Add(reason);
            return candidate;
        }

        return current;
    }
}
