using System.Text.Json;
using ARuntime.Sdk.Evaluation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MeaiEvaluation = Microsoft.Extensions.AI.Evaluation;

#pragma warning disable IDE0130 // Builder extensions live in the builder's namespace: one `using ARuntime.Sdk;` brings every package's.
namespace ARuntime.Sdk;
#pragma warning restore IDE0130

/// <summary>Adds evaluators and task-outcome checks to the evaluation stage; see docs/evaluation.md.</summary>
public static class EvaluationARuntimeBuilderExtensions
{
    /// <summary>Adds an evaluator class, created through dependency injection (once, however often it is added).</summary>
    /// <typeparam name="TEvaluator">The evaluator type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder AddEvaluator<TEvaluator>(this ARuntimeBuilder builder)
        where TEvaluator : class, IEvaluator
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IEvaluator, TEvaluator>());
        return builder;
    }

    /// <summary>Adds a Microsoft.Extensions.AI.Evaluation evaluator (see <see cref="ExtensionsAIEvaluator"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="evaluator">The evaluator.</param>
    /// <param name="chatConfiguration">The model configuration of model-graded evaluators; <see langword="null"/> for evaluators that need none.</param>
    /// <param name="name">The evaluator's name; the evaluator's type name in snake_case when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder AddExtensionsAIEvaluator(this ARuntimeBuilder builder, MeaiEvaluation.IEvaluator evaluator, MeaiEvaluation.ChatConfiguration? chatConfiguration = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEvaluator(new ExtensionsAIEvaluator(evaluator, chatConfiguration, name));
    }

    /// <summary>Adds a host-defined check of the task outcome, scored by <see cref="TaskOutcomeEvaluator"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="check">The check.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A check with the same name is already registered.</exception>
    public static ARuntimeBuilder AddOutcomeCheck(this ARuntimeBuilder builder, TaskOutcomeCheck check)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(check);
        if (builder.Services.Any(d => d.ServiceType == typeof(TaskOutcomeCheck) && d.ImplementationInstance is TaskOutcomeCheck existing && existing.Name == check.Name))
        {
            throw new ArgumentException($"An outcome check named '{check.Name}' is already registered.", nameof(check));
        }

        builder.Services.AddSingleton(check);
        return builder;
    }

    /// <summary>Adds a host-defined check over the request, its result and its evidence.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The check's name: lowercase letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.</param>
    /// <param name="predicate">Returns whether the request passed.</param>
    /// <param name="failureReason">A non-sensitive statement recorded when the check fails.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder AddOutcomeCheck(this ARuntimeBuilder builder, string name, Func<EvaluationContext, bool> predicate, string? failureReason = null) =>
        builder.AddOutcomeCheck(new TaskOutcomeCheck(name, predicate, failureReason));

    /// <summary>Adds a host-defined check over the structured answer, deserialized to <typeparamref name="TAnswer"/>.</summary>
    /// <typeparam name="TAnswer">The type the output contract describes.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The check's name: lowercase letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.</param>
    /// <param name="predicate">Returns whether the answer passes.</param>
    /// <param name="failureReason">A non-sensitive statement recorded when the check fails.</param>
    /// <param name="serializerOptions">The serializer options; <see cref="JsonSerializerOptions.Web"/> when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder AddOutcomeCheck<TAnswer>(this ARuntimeBuilder builder, string name, Func<TAnswer, bool> predicate, string? failureReason = null, JsonSerializerOptions? serializerOptions = null) =>
        builder.AddOutcomeCheck(TaskOutcomeCheck.ForAnswer(name, predicate, serializerOptions, failureReason));

    /// <summary>Configures the evaluation settings (evaluator timeout, cost, latency and safety targets).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the settings.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder ConfigureEvaluation(this ARuntimeBuilder builder, Action<EvaluationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<ARuntimeOptions>(o => configure(o.Evaluation));
        return builder;
    }
}
