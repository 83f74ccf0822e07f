using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Risk;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>Stage 3, risk classification: assign consequence, reversibility, data classification and review requirements.</summary>
internal sealed class RiskClassificationStage : IRequestStage
{
    private readonly IRiskClassifier classifier;

    public RiskClassificationStage(IRiskClassifier classifier)
    {
        this.classifier = classifier;
    }

    public LifecycleStage Stage => LifecycleStage.RiskClassification;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var risk = await classifier.ClassifyAsync(
            new RiskContext { RequestId = context.RequestId, Request = context.Request, Authority = context.Authority, OfferedTools = context.OfferedTools },
            cancellationToken).ConfigureAwait(false);
        context.Risk = risk;
        context.Classification = context.Classification.Combine(risk.Classification);
        var result = new StageResult(StageOutcome.Completed, "risk=" + risk.Level)
            .With("irreversible", risk.Irreversible ? "true" : "false")
            .With("review.required", risk.ReviewRequired ? "true" : "false")
            .WithReasons(risk.ReasonCodes);
        result.Classification = context.Classification;
        return result;
    }
}
