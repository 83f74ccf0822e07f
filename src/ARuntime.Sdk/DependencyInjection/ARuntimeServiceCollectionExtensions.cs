using ARuntime.Sdk;
using ARuntime.Sdk.Admission;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.DependencyInjection;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Lifecycle.Stages;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Risk;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Telemetry;
using ARuntime.Sdk.Tools;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods for IServiceCollection live in its namespace, by convention.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the ARuntime agent runtime.</summary>
public static class ARuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAgentRuntime"/> and its default services (rule-based policy, in-memory approvals, idempotency and
    /// journal, default authority, risk, routing and context policies), with options validated at startup. Evidence has no
    /// default: register a sink (for example <c>UseSqlCipherStore</c>) or call <c>UseInMemoryEvidence()</c> explicitly.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the runtime options.</param>
    /// <returns>The builder, to register engines, tools, policy, evidence and stores.</returns>
    public static ARuntimeBuilder AddARuntime(this IServiceCollection services, Action<ARuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<ARuntimeOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ARuntimeOptions>, ARuntimeOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ARuntimeOptions>, PolicyOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RuntimeLogging>();
        services.TryAddSingleton(JsonSchemaValidator.Shared);

        // Replaceable policies of the lifecycle stages.
        services.TryAddSingleton<IToolRegistry>(sp => new ToolRegistry(sp.GetServices<ToolRegistration>().Select(r => r.Factory(sp))));
        services.TryAddSingleton<IPolicyEngine, RuleBasedPolicyEngine>();
        services.TryAddSingleton<IAuthorityResolver, DefaultAuthorityResolver>();
        services.TryAddSingleton<IRiskClassifier, DefaultRiskClassifier>();
        services.TryAddSingleton<IModelCatalog, ModelCatalog>();
        services.TryAddSingleton<IModelRouter, DefaultModelRouter>();
        services.TryAddSingleton<IContextAssembler, DefaultContextAssembler>();
        services.TryAddSingleton<IMemoryDecider, NoMemoryDecider>();
        services.AddARuntimeObservability();

        // Volatile defaults for state; durable stores (for example UseSqlCipherStore) replace them.
        services.TryAddSingleton<IApprovalStore, InMemoryApprovalStore>();
        services.TryAddSingleton<IIdempotencyStore, InMemoryIdempotencyStore>();
        services.TryAddSingleton<IOperationLedger, InMemoryOperationLedger>();
        services.TryAddSingleton<OperationCoordinator>();
        services.TryAddSingleton<IRequestJournal, InMemoryRequestJournal>();

        // The lifecycle itself: fixed stages in a fixed order.
        services.TryAddSingleton<RequestLimiter>();
        services.TryAddSingleton<ResultBuilder>();
        services.TryAddSingleton<AdmissionStage>();
        services.TryAddSingleton<AuthorityResolutionStage>();
        services.TryAddSingleton<RiskClassificationStage>();
        services.TryAddSingleton<ContextAssemblyStage>();
        services.TryAddSingleton<ModelRouteSelectionStage>();
        services.TryAddSingleton<InferenceStage>();
        services.TryAddSingleton<ToolPlanningStage>();
        services.TryAddSingleton<AuthorizationStage>();
        services.TryAddSingleton<ToolExecutionStage>();
        services.TryAddSingleton<ValidationStage>();
        services.TryAddSingleton<HumanApprovalStage>();
        services.TryAddSingleton<ResponseFinalizationStage>();
        services.TryAddSingleton<MemoryDecisionStage>();
        services.TryAddSingleton<EvidencePersistenceStage>();
        services.TryAddSingleton<EvaluationStage>();
        services.TryAddSingleton<IncidentRecoveryStage>();
        services.TryAddSingleton<BudgetGuard>();
        services.TryAddSingleton<InterruptedRequestRecovery>();
        // The process-wide evidence buffer ("trace persistence failure" row) around the host's sink, measured by telemetry.
        services.TryAddSingleton(sp => new EvidenceBuffer(
            sp.GetRequiredService<RuntimeTelemetry>().Instrument(sp.GetRequiredService<IEvidenceSink>()),
            sp.GetRequiredService<IOptions<ARuntimeOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<RuntimeLogging>()));
        services.TryAddSingleton<BudgetExtensionStage>();
        services.TryAddSingleton<LifecyclePipeline>();
        services.TryAddSingleton(sp =>
        {
            // Resolving the options validates them (also in hosts without ValidateOnStart).
            _ = sp.GetRequiredService<IOptions<ARuntimeOptions>>().Value;
            return ActivatorUtilities.CreateInstance<AgentRuntime>(sp);
        });
        services.TryAddSingleton<IAgentRuntime>(sp => sp.GetRequiredService<AgentRuntime>());
        services.TryAddSingleton(sp => new ApprovalExpirySweeper(sp.GetRequiredService<AgentRuntime>()));

        // In a generic host the runtime starts with the host (validation, recovery, the expiry sweep's schedule).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ARuntimeHostedService>());

        return new ARuntimeBuilder(services);
    }
}
