using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;

namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Scores evidence completeness: every mandatory stage that precedes evaluation (admission through evidence persistence)
/// must have its stage record. A missing record fails the score and names the stage.
/// </summary>
public sealed class EvidenceCompletenessEvaluator : IEvaluator
{
    /// <summary>The metric name.</summary>
    public const string Metric = "evidence.completeness";

    /// <inheritdoc />
    public string Name => "evidence";

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var seen = new HashSet<LifecycleStage>();
        foreach (var record in context.Evidence)
        {
            if (record.Kind == EvidenceKinds.Stage && record.RequestId == context.RequestId)
            {
                seen.Add(record.Stage);
            }
        }

        var missing = new List<LifecycleStage>();
        for (var stage = LifecycleStage.Admission; stage <= LifecycleStage.EvidencePersistence; stage++)
        {
            if (!seen.Contains(stage))
            {
                missing.Add(stage);
            }
        }

        const int mandatory = (int)LifecycleStage.EvidencePersistence;
        IReadOnlyList<EvaluationScore> scores =
        [
            new EvaluationScore
            {
                Evaluator = Name,
                Metric = Metric,
                Value = (double)(mandatory - missing.Count) / mandatory,
                Passed = missing.Count == 0,
                Reason = missing.Count == 0 ? null : "missing stage records: " + string.Join(", ", missing),
            },
        ];
        return ValueTask.FromResult(scores);
    }
}
