namespace ARuntime.Sdk.Risk;

/// <summary>Assigns a request its consequence, reversibility, data classification and review requirement.</summary>
public interface IRiskClassifier
{
    /// <summary>Classifies a request.</summary>
    /// <param name="context">The request and its authority.</param>
    /// <param name="cancellationToken">Cancels the classification.</param>
    /// <returns>The assessment.</returns>
    ValueTask<RiskAssessment> ClassifyAsync(RiskContext context, CancellationToken cancellationToken = default);
}
