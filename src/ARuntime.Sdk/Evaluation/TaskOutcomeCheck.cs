using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ARuntime.Sdk.Evaluation;

/// <summary>
/// A host-defined check of a finished request's outcome, typically against its output contract ("the refund amount is
/// positive", "the answer names an order id"). <see cref="TaskOutcomeEvaluator"/> runs every registered check and scores
/// each as <c>task.check.{name}</c>; a failing check fails <c>task.outcome</c>. Register one with
/// <c>builder.AddOutcomeCheck(...)</c>.
/// </summary>
public sealed class TaskOutcomeCheck
{
    private readonly Func<EvaluationContext, bool> predicate;

    /// <summary>Initializes a check over the whole evaluation context (request, result and evidence).</summary>
    /// <param name="name">The check's name: lowercase letters, digits, <c>_</c>, <c>-</c> and <c>.</c> (it becomes part of a metric name).</param>
    /// <param name="predicate">Returns whether the request passed; an exception counts as a failure.</param>
    /// <param name="failureReason">A non-sensitive statement of what a failure means, recorded with the score.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or has other characters.</exception>
    public TaskOutcomeCheck(string name, Func<EvaluationContext, bool> predicate, string? failureReason = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Name = ValidateName(name);
        this.predicate = predicate;
        FailureReason = failureReason;
    }

    /// <summary>Gets the check's name.</summary>
    public string Name { get; }

    /// <summary>Gets the statement recorded when the check fails.</summary>
    public string? FailureReason { get; }

    /// <summary>Creates a check over the request's structured answer, deserialized to <typeparamref name="TAnswer"/>.</summary>
    /// <typeparam name="TAnswer">The type the output contract describes.</typeparam>
    /// <param name="name">The check's name.</param>
    /// <param name="predicate">Returns whether the answer passes.</param>
    /// <param name="serializerOptions">The serializer options; <see cref="JsonSerializerOptions.Web"/> when <see langword="null"/>.</param>
    /// <param name="failureReason">A non-sensitive statement of what a failure means.</param>
    /// <returns>The check; it fails when the request has no structured answer or the answer does not deserialize.</returns>
    public static TaskOutcomeCheck ForAnswer<TAnswer>(string name, Func<TAnswer, bool> predicate, JsonSerializerOptions? serializerOptions = null, string? failureReason = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var options = serializerOptions ?? JsonSerializerOptions.Web;
        return new TaskOutcomeCheck(name, context => Answer(context) is { } answer && answer.Deserialize<TAnswer>(options) is { } value && predicate(value), failureReason);
    }

    /// <summary>Creates a check over the request's structured answer, deserialized with source-generated metadata (trimming- and AOT-safe).</summary>
    /// <typeparam name="TAnswer">The type the output contract describes.</typeparam>
    /// <param name="name">The check's name.</param>
    /// <param name="predicate">Returns whether the answer passes.</param>
    /// <param name="typeInfo">The type's JSON metadata.</param>
    /// <param name="failureReason">A non-sensitive statement of what a failure means.</param>
    /// <returns>The check.</returns>
    public static TaskOutcomeCheck ForAnswer<TAnswer>(string name, Func<TAnswer, bool> predicate, JsonTypeInfo<TAnswer> typeInfo, string? failureReason = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new TaskOutcomeCheck(name, context => Answer(context) is { } answer && answer.Deserialize(typeInfo) is { } value && predicate(value), failureReason);
    }

    /// <summary>Runs the check.</summary>
    /// <param name="context">The request, its result and its evidence.</param>
    /// <returns>Whether the request passed.</returns>
    public bool Check(EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return predicate(context);
    }

    private static JsonElement? Answer(EvaluationContext context) =>
        context.Result.StructuredAnswer is { ValueKind: not JsonValueKind.Undefined } answer ? answer : null;

    private static string ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.'))
            {
                throw new ArgumentException($"The check name '{name}' may hold only lowercase letters, digits, '_', '-' and '.'.", nameof(name));
            }
        }

        return name;
    }
}
