using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evaluation;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 15, evaluation: score task outcome, safety, cost, latency and evidence completeness through the registered
/// evaluators. A failing evaluator is a failed score, never a failed request. Paused requests are evaluated when they finish.
/// </summary>
internal sealed class EvaluationStage : IRequestStage
{
    private readonly IEnumerable<IEvaluator> evaluators;
    private readonly Func<RequestContext, AgentResult> preview;

    public EvaluationStage(IEnumerable<IEvaluator> evaluators, ResultBuilder results)
    {
        this.evaluators = evaluators;
        preview = results.Build;
    }

    public LifecycleStage Stage => LifecycleStage.Evaluation;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (context.FinalStatus == AgentRunStatus.PendingApproval)
        {
            return StageResult.NotApplicable("evaluation.deferred_until_finished");
        }

        var evaluation = new EvaluationContext { RequestId = context.RequestId, Request = context.Request, Result = preview(context), Evidence = context.Evidence.Records };
        var attributes = new List<(string Key, string Value)>();
        var failed = 0;
        foreach (var evaluator in evaluators)
        {
            IReadOnlyList<EvaluationScore> scores;
            try
            {
                scores = await evaluator.EvaluateAsync(evaluation, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                scores = [new EvaluationScore { Evaluator = evaluator.Name, Metric = evaluator.Name + ".error", Value = 0, Passed = false, Reason = "evaluator failed: " + ex.GetType().Name }];
            }

            foreach (var score in scores)
            {
                context.Evaluations.Add(score);
                failed += score.Passed ? 0 : 1;
                attributes.Add(("score." + score.Metric, score.Value.ToString("0.###", CultureInfo.InvariantCulture) + (score.Passed ? ":pass" : ":fail")));
            }
        }

        var result = new StageResult(failed == 0 ? StageOutcome.Completed : StageOutcome.Degraded, $"scores={context.Evaluations.Count};failed={failed}")
            .WithReasons(context.Evaluations.Where(s => !s.Passed).Select(s => "evaluation.failed:" + s.Metric));
        foreach (var (key, value) in attributes)
        {
            result.With(key, value);
        }

        return result;
    }
}
