using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;

namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Scores evidence completeness. <c>evidence.completeness</c>: every mandatory stage — admission through evidence
/// persistence, the stages that precede evaluation — must have its stage record (a stage the request never reached has a
/// <c>not_reached</c> record); a missing one fails the score and is named. <c>evidence.durable</c>: the evidence persistence
/// stage made the records durable and no record was lost to a full buffer during an evidence outage.
/// </summary>
public sealed class EvidenceCompletenessEvaluator : IEvaluator
{
    /// <summary>The completeness metric name.</summary>
    public const string Metric = "evidence.completeness";

    /// <summary>The durability metric name.</summary>
    public const string DurableMetric = "evidence.durable";

    /// <inheritdoc />
    public string Name => "evidence";

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var seen = new HashSet<LifecycleStage>();
        EvidenceRecord? persistence = null;
        var lost = 0;
        foreach (var record in context.Evidence)
        {
            if (record.RequestId != context.RequestId)
            {
                continue;
            }

            if (record.Kind == EvidenceKinds.Stage)
            {
                seen.Add(record.Stage);
                if (record.Stage == LifecycleStage.EvidencePersistence)
                {
                    persistence = record;
                }
            }
            else if (record.Kind == EvidenceKinds.Gap && record.Attributes.TryGetValue("dropped", out var dropped)
                && int.TryParse(dropped, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                lost += count;
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
        var durable = persistence is { Outcome: StageOutcome.Completed or StageOutcome.Degraded, Decision: "durable" } && lost == 0;
        string? notDurable = null;
        if (!durable)
        {
            notDurable = persistence is null ? "no evidence persistence record"
                : lost > 0 ? lost.ToString(CultureInfo.InvariantCulture) + " record(s) lost during an evidence outage"
                : "records were not made durable (" + (persistence.Decision ?? persistence.Outcome.ToString()) + ")";
        }

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
            new EvaluationScore { Evaluator = Name, Metric = DurableMetric, Value = durable ? 1 : 0, Passed = durable, Reason = notDurable },
        ];
        return ValueTask.FromResult(scores);
    }
}
