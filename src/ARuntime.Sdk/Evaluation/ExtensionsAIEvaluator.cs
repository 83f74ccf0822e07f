using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.AI;
using MeaiEvaluation = Microsoft.Extensions.AI.Evaluation;

namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// Runs a Microsoft.Extensions.AI.Evaluation evaluator (for example a quality evaluator such as relevance or coherence, or
/// one of your own) at the evaluation stage. The request's instructions, history and prompt become the conversation, its
/// answer the response; every metric of the result becomes a score named <c>{Name}.{metric}</c>. Requests without an answer
/// are not evaluated.
/// </summary>
/// <remarks>
/// Model-graded evaluators send the prompt and the answer to the model behind <see cref="MeaiEvaluation.ChatConfiguration"/>:
/// choose that model with the same data-egress care as any other. The metric's own free-text reason can quote the answer, so
/// it is recorded only with <see cref="IncludeMetricReasons"/>; the interpretation's reason is recorded for a failed score (a
/// passed score needs no explanation).
/// </remarks>
public sealed class ExtensionsAIEvaluator : IEvaluator
{
    private readonly MeaiEvaluation.IEvaluator evaluator;
    private readonly MeaiEvaluation.ChatConfiguration? chatConfiguration;
    private readonly Func<EvaluationContext, IEnumerable<MeaiEvaluation.EvaluationContext>>? additionalContext;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="evaluator">The Microsoft.Extensions.AI.Evaluation evaluator.</param>
    /// <param name="chatConfiguration">The model configuration of model-graded evaluators; <see langword="null"/> for evaluators that need none.</param>
    /// <param name="name">The evaluator's name (the score's evaluator and metric prefix); the evaluator's type name in snake_case when <see langword="null"/>.</param>
    /// <param name="additionalContext">Supplies evaluator-specific context per request (for example ground truth); optional.</param>
    public ExtensionsAIEvaluator(
        MeaiEvaluation.IEvaluator evaluator,
        MeaiEvaluation.ChatConfiguration? chatConfiguration = null,
        string? name = null,
        Func<EvaluationContext, IEnumerable<MeaiEvaluation.EvaluationContext>>? additionalContext = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        if (name is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
        }

        this.evaluator = evaluator;
        this.chatConfiguration = chatConfiguration;
        this.additionalContext = additionalContext;
        Name = name ?? TelemetryValues.ToSnake(evaluator.GetType().Name);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets or sets whether a metric's own free-text reason is recorded (it may quote the answer); off by default.</summary>
    public bool IncludeMetricReasons { get; init; }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Result.Answer is not { } answer)
        {
            return [];
        }

        var task = context.Request.Task;
        var messages = new List<ChatMessage>(task.History.Count + 2);
        if (!string.IsNullOrEmpty(task.Instructions))
        {
            messages.Add(new ChatMessage(ChatRole.System, task.Instructions));
        }

        foreach (var message in task.History)
        {
            messages.Add(new ChatMessage(Role(message.Role), message.Content));
        }

        messages.Add(new ChatMessage(ChatRole.User, task.Prompt));
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, answer));
        var result = await evaluator.EvaluateAsync(messages, response, chatConfiguration, additionalContext?.Invoke(context), cancellationToken).ConfigureAwait(false);

        var scores = new List<EvaluationScore>(result.Metrics.Count);
        foreach (var metric in result.Metrics.Values)
        {
            scores.Add(ToScore(metric));
        }

        return scores;
    }

    private EvaluationScore ToScore(MeaiEvaluation.EvaluationMetric metric)
    {
        var interpretation = metric.Interpretation;
        var error = metric.Diagnostics?.Any(d => d.Severity == MeaiEvaluation.EvaluationDiagnosticSeverity.Error) == true;
        var value = metric switch
        {
            MeaiEvaluation.NumericMetric { Value: { } number } => number,
            MeaiEvaluation.BooleanMetric { Value: { } flag } => flag ? 1 : 0,
            _ => RatingValue(interpretation?.Rating),
        };
        var passed = !error && (interpretation is not null ? !interpretation.Failed : metric is not MeaiEvaluation.BooleanMetric { Value: false });
        string? reason = null;
        if (error)
        {
            reason = "the evaluator reported an error";
        }
        else if (!passed)
        {
            reason = interpretation?.Reason ?? (interpretation is null ? null : "rated " + interpretation.Rating);
        }

        if (IncludeMetricReasons && metric.Reason is { Length: > 0 } own)
        {
            reason = reason is null ? own : reason + "; " + own;
        }

        return new EvaluationScore { Evaluator = Name, Metric = Name + "." + MetricName(metric.Name), Value = value, Passed = passed, Reason = reason };
    }

    private static double RatingValue(MeaiEvaluation.EvaluationRating? rating) => rating switch
    {
        MeaiEvaluation.EvaluationRating.Exceptional => 1,
        MeaiEvaluation.EvaluationRating.Good => 0.75,
        MeaiEvaluation.EvaluationRating.Average => 0.5,
        MeaiEvaluation.EvaluationRating.Poor => 0.25,
        _ => 0,
    };

    private static string MetricName(string name)
    {
        var chars = new char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            chars[i] = char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_';
        }

        return new string(chars).Trim('_');
    }

    private static ChatRole Role(MessageRole role) => role switch
    {
        MessageRole.System => ChatRole.System,
        MessageRole.Assistant => ChatRole.Assistant,
        MessageRole.Tool => ChatRole.Tool,
        _ => ChatRole.User,
    };
}
