using ARuntime.Sdk.Evaluation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Telemetry;

/// <summary>Registers the runtime's telemetry, the validation of its options and the default evaluators (called by <c>AddARuntime</c>).</summary>
internal static class ObservabilityServiceCollectionExtensions
{
    public static IServiceCollection AddARuntimeObservability(this IServiceCollection services)
    {
        services.TryAddSingleton<RuntimeTelemetry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ARuntimeOptions>, TelemetryOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ARuntimeOptions>, EvaluationOptionsValidator>());

        // The default evaluators, in the order their scores appear: outcome, safety, cost, latency, evidence completeness.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEvaluator, TaskOutcomeEvaluator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEvaluator, SafetyEvaluator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEvaluator, CostEvaluator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEvaluator, LatencyEvaluator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEvaluator, EvidenceCompletenessEvaluator>());
        return services;
    }
}
