using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evaluation;
using ARuntime.Sdk.Evidence;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 15, evaluation: score task outcome, safety, cost, latency and evidence completeness through the registered
/// evaluators. Every score goes to evidence (one <c>evaluation.score</c> record each), to the request's span (a
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
        var attributes = new List<(string Key, string Value)>();
        var failed = 0;
        foreach (var evaluator in evaluators)
        {
            var name = NameOf(evaluator);
            var started = timeProvider.GetTimestamp();
            var startedAt = timeProvider.GetUtcNow();
            var scores = await EvaluateAsync(evaluator, name, evaluation, cancellationToken).ConfigureAwait(false);
            var duration = timeProvider.GetElapsedTime(started);
            foreach (var score in scores)
            {
                context.Evaluations.Add(score);
                failed += score.Passed ? 0 : 1;
                attributes.Add(("score." + score.Metric, Format(score.Value) + (score.Passed ? ":pass" : ":fail")));
                context.Telemetry.Evaluated(score);
                await RecordAsync(context, score, startedAt, duration, cancellationToken).ConfigureAwait(false);
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

    private async ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(IEvaluator evaluator, string name, EvaluationContext evaluation, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.EvaluatorTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var scores = await evaluator.EvaluateAsync(evaluation, linked.Token).ConfigureAwait(false);
            return scores is null ? [] : [.. scores.Where(s => s is not null).Select(s => Valid(s, name))];
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return [Failure(name, $"evaluator timed out after {options.EvaluatorTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s")];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return [Failure(name, "evaluator failed: " + ex.GetType().Name)];
        }
    }

    /// <summary>Writes the score's evidence record; like every acknowledged write, a failure is buffered, not fatal.</summary>
    private static async ValueTask RecordAsync(RequestContext context, EvaluationScore score, DateTimeOffset startedAt, TimeSpan duration, CancellationToken cancellationToken)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["evaluator"] = score.Evaluator,
            ["metric"] = score.Metric,
            ["value"] = score.Value.ToString("R", CultureInfo.InvariantCulture),
            ["passed"] = score.Passed ? "true" : "false",
        };
        if (score.Reason is { } reason)
        {
            attributes["reason"] = context.Redactor.Redact(reason);
        }

        await context.Evidence.WriteAsync(
            context.NewRecord(LifecycleStage.Evaluation, EvidenceKinds.Evaluation, score.Passed ? StageOutcome.Completed : StageOutcome.Failed, startedAt, duration, null,
                score.Passed ? "pass" : "fail", score.Passed ? [] : ["evaluation.failed:" + score.Metric], attributes),
            EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);
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

    private static string NameOf(IEvaluator evaluator)
    {
        try
        {
            return string.IsNullOrWhiteSpace(evaluator.Name) ? evaluator.GetType().Name : evaluator.Name;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return evaluator.GetType().Name;
        }
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
