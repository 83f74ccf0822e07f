using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evaluation;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 15, evaluation: score task outcome, safety, cost, latency and evidence completeness through the registered
/// evaluators. Every score goes to evidence (as attributes of the stage's record), to the request's span (a
/// <c>gen_ai.evaluation.result</c> event) and to metrics. A failing, throwing or overrunning evaluator is a failed score,
/// never a failed request. Paused requests are evaluated when they finish.
/// </summary>
internal sealed class EvaluationStage : IRequestStage
{
    private readonly IEvaluator[] evaluators;
    private readonly Func<RequestContext, AgentResult> preview;
    private readonly EvaluationOptions options;
    private readonly TimeProvider timeProvider;

    public EvaluationStage(IEnumerable<IEvaluator> evaluators, ResultBuilder results, IOptions<ARuntimeOptions> options, TimeProvider timeProvider)
    {
        this.evaluators = [.. evaluators];
        preview = results.Build;
        this.options = options.Value.Evaluation;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.Evaluation;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (context.FinalStatus == AgentRunStatus.PendingApproval)
        {
            return StageResult.NotApplicable("evaluation.deferred_until_finished");
        }

        var evaluation = new EvaluationContext
        {
            RequestId = context.RequestId,
            Request = context.Request,
            Result = preview(context),
            Evidence = [.. context.Evidence.Records],
            RedactedSecrets = context.Redactor.RedactedSecretCount,
        };
        var attributes = new List<(string Key, string Value)>(32);
        var failed = 0;

        // One timer for the stage, re-armed for each evaluator (a new one only after an evaluator timed out).
        CancellationTokenSource? timeout = null;
        CancellationTokenSource? linked = null;
        try
        {
            foreach (var evaluator in evaluators)
            {
                if (timeout is null || timeout.IsCancellationRequested)
                {
                    linked?.Dispose();
                    timeout?.Dispose();
                    timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
                    linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                }

                var name = HostComponentName.Of(evaluator, static e => e.Name);
                var scores = await EvaluateAsync(evaluator, name, evaluation, timeout, linked!.Token, cancellationToken).ConfigureAwait(false);
                Record(context, scores, attributes, ref failed);
            }
        }
        finally
        {
            linked?.Dispose();
            timeout?.Dispose();
        }

        var result = new StageResult(failed == 0 ? StageOutcome.Completed : StageOutcome.Degraded, $"scores={context.Evaluations.Count};failed={failed}")
            .WithReasons(context.Evaluations.Where(s => !s.Passed).Select(s => "evaluation.failed:" + s.Metric));
        foreach (var (key, value) in attributes)
        {
            result.With(key, value);
        }

        return result;
    }

    private static void Record(RequestContext context, IReadOnlyList<EvaluationScore> scores, List<(string Key, string Value)> attributes, ref int failed)
    {
        foreach (var score in scores)
        {
            context.Evaluations.Add(score);
            failed += score.Passed ? 0 : 1;
            attributes.Add(("score." + score.Metric, Format(score.Value) + (score.Passed ? ":pass" : ":fail")));
            attributes.Add(("evaluator." + score.Metric, score.Evaluator));
            if (!score.Passed && score.Reason is { } reason)
            {
                attributes.Add(("reason." + score.Metric, context.Redactor.Redact(reason)));
            }

            context.Telemetry.Evaluated(score);
        }
    }

    private async ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(IEvaluator evaluator, string name, EvaluationContext evaluation, CancellationTokenSource timeout, CancellationToken evaluatorToken, CancellationToken cancellationToken)
    {
        try
        {
            // The timeout is armed only for an evaluator that did not answer synchronously (most do): arming and disarming a
            // timer for each would cost more than the built-in evaluators themselves.
            var pending = evaluator.EvaluateAsync(evaluation, evaluatorToken);
            IReadOnlyList<EvaluationScore> scores;
            if (pending.IsCompleted)
            {
                scores = pending.Result;
            }
            else
            {
                if (options.EvaluatorTimeout <= SafeTime.MaxTimerDelay)
                {
                    timeout.CancelAfter(options.EvaluatorTimeout);
                }
                try
                {
                    // The timeout (and the grace period) hold even for an evaluator that ignores its token: it is left behind.
                    scores = await ObserveFault(pending.AsTask()).WaitAsync(evaluatorToken).ConfigureAwait(false);
                }
                finally
                {
                    timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                }
            }

            if (scores is null)
            {
                return [];
            }

            var valid = new List<EvaluationScore>(scores.Count);
            foreach (var score in scores)
            {
                if (score is not null)
                {
                    valid.Add(Valid(score, name));
                }
            }

            return valid;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return [Failure(name, $"evaluator timed out after {options.EvaluatorTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s")];
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The request's closing work ran out of time: a score lost, not a request failed.
            return [Failure(name, "evaluator cut short: the termination grace period ran out")];
        }
        catch (Exception ex)
        {
            return [Failure(name, "evaluator failed: " + ex.GetType().Name)];
        }
    }

    private static Task<IReadOnlyList<EvaluationScore>> ObserveFault(Task<IReadOnlyList<EvaluationScore>> task)
    {
        // An evaluator left behind that faults later must not surface as an unobserved task exception.
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>Keeps a host evaluator's score well-formed: named after its evaluator and metric, with a finite value.</summary>
    private static EvaluationScore Valid(EvaluationScore score, string evaluator)
    {
        if (string.IsNullOrWhiteSpace(score.Metric))
        {
            return Failure(evaluator, "evaluator returned a score without a metric name");
        }

        if (!double.IsFinite(score.Value))
        {
            return score with { Evaluator = evaluator, Value = 0, Passed = false, Reason = "evaluator returned a non-finite value" };
        }

        return string.IsNullOrWhiteSpace(score.Evaluator) ? score with { Evaluator = evaluator } : score;
    }

    private static EvaluationScore Failure(string evaluator, string reason) =>
        new() { Evaluator = evaluator, Metric = evaluator + ".error", Value = 0, Passed = false, Reason = reason };

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
