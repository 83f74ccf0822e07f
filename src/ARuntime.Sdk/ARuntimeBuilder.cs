using ARuntime.Sdk.Admission;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.Evaluation;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Responses;
using ARuntime.Sdk.Risk;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Tools;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ARuntime.Sdk;

/// <summary>
/// Composes the agent runtime: deployments and their engines, tools, policy, evidence, stores and the policies of the
/// lifecycle stages. Returned by <c>services.AddARuntime(...)</c>; every method returns the builder for chaining. Packages add
/// their own methods as extensions (for example <c>UseLlamaSharp</c> and <c>UseSqlCipherStore</c>).
/// </summary>
public sealed class ARuntimeBuilder
{
    internal ARuntimeBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection the runtime is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers a model deployment and the engine that serves it (a singleton keyed by the deployment name).</summary>
    /// <param name="deployment">The deployment: name, provider, region, precision, capabilities, price, timeout.</param>
    /// <param name="engineFactory">Creates the engine; called once, on first use.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddDeployment(ModelDeployment deployment, Func<IServiceProvider, IInferenceEngine> engineFactory)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(engineFactory);
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment.Name);
        Services.AddSingleton(new DeploymentRegistration(deployment));
        Services.AddKeyedSingleton(deployment.Name, (sp, _) => engineFactory(sp));
        return this;
    }

    /// <summary>Registers an engine instance as a local deployment named <paramref name="deploymentName"/>.</summary>
    /// <param name="deploymentName">The deployment name.</param>
    /// <param name="engine">The engine.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddEngine(string deploymentName, IInferenceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return AddDeployment(new ModelDeployment { Name = deploymentName, Provider = engine.Metadata.EngineName }, _ => engine);
    }

    /// <summary>Registers a tool instance.</summary>
    /// <param name="tool">The tool.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddTool(AgentTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ToolDescriptorValidator.Validate(tool);
        Services.AddSingleton(new ToolRegistration(_ => tool));
        return this;
    }

    /// <summary>Registers a tool class, created through dependency injection.</summary>
    /// <typeparam name="TTool">The tool type.</typeparam>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddTool<TTool>()
        where TTool : AgentTool
    {
        Services.AddSingleton(new ToolRegistration(sp => ActivatorUtilities.CreateInstance<TTool>(sp)));
        return this;
    }

    /// <summary>Registers a tool built from a method or delegate; its schemas come from the parameter and return types.</summary>
    /// <param name="method">The delegate.</param>
    /// <param name="configure">Classifies the tool; <see cref="ToolOptions.PermissionClass"/> and <see cref="ToolOptions.SideEffect"/> are required.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ToolRegistrationException">The declaration is invalid or contradictory.</exception>
    public ARuntimeBuilder AddTool(Delegate method, Action<ToolOptions> configure) => AddTool(AgentToolFactory.Create(method, configure));

    /// <summary>Registers a Microsoft.Extensions.AI function as a tool, with the classifications it lacks given explicitly.</summary>
    /// <param name="function">The function.</param>
    /// <param name="configure">Classifies the tool; <see cref="ToolOptions.PermissionClass"/> and <see cref="ToolOptions.SideEffect"/> are required.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ToolRegistrationException">The declaration is invalid or contradictory.</exception>
    public ARuntimeBuilder AddTool(AIFunction function, Action<ToolOptions> configure) => AddTool(AgentToolFactory.Create(function, configure));

    /// <summary>Configures the rule-based policy engine (version and rules).</summary>
    /// <param name="configure">Configures the policy.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder ConfigurePolicy(Action<PolicyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<ARuntimeOptions>(o => configure(o.Policy));
        return this;
    }

    /// <summary>Replaces the policy engine.</summary>
    /// <param name="factory">Creates the policy engine.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UsePolicyEngine(Func<IServiceProvider, IPolicyEngine> factory) => Replace(factory);

    /// <summary>Sends evidence to a sink (also used as the evidence reader when it implements <see cref="IEvidenceReader"/>).</summary>
    /// <param name="factory">Creates the sink.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseEvidenceSink(Func<IServiceProvider, IEvidenceSink> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<IEvidenceSink>();
        Services.RemoveAll<IEvidenceReader>();
        Services.AddSingleton(factory);
        Services.AddSingleton(sp => sp.GetRequiredService<IEvidenceSink>() as IEvidenceReader
            ?? throw new InvalidOperationException("The registered evidence sink cannot be read back; register an IEvidenceReader."));
        return this;
    }

    /// <summary>
    /// Keeps evidence in memory only (development and tests). Evidence is lost when the process exits; this is an explicit,
    /// recorded opt-out: every record carries the <c>volatile-storage</c> flag.
    /// </summary>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseInMemoryEvidence()
    {
        Services.Configure<ARuntimeOptions>(o => o.Evidence.VolatileStorageAccepted = true);
        Services.TryAddSingleton<InMemoryEvidenceStore>();
        return UseEvidenceSink(sp => sp.GetRequiredService<InMemoryEvidenceStore>());
    }

    /// <summary>Registers a context source.</summary>
    /// <param name="source">The source.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddContextSource(IContextSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Services.AddSingleton(source);
        return this;
    }

    /// <summary>Registers a context source created through dependency injection.</summary>
    /// <typeparam name="TSource">The source type.</typeparam>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddContextSource<TSource>()
        where TSource : class, IContextSource
    {
        Services.AddSingleton<IContextSource, TSource>();
        return this;
    }

    /// <summary>Uses a memory store (reads become context; the memory decision stage retains into it).</summary>
    /// <param name="factory">Creates the store.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseMemoryStore(Func<IServiceProvider, IMemoryStore> factory) => Replace(factory);

    /// <summary>Uses a memory decider (what completed requests retain).</summary>
    /// <param name="factory">Creates the decider.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseMemoryDecider(Func<IServiceProvider, IMemoryDecider> factory) => Replace(factory);

    /// <summary>Uses a secret resolver for tools' auth references.</summary>
    /// <param name="resolver">The resolver.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseSecretResolver(ISecretResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        return Replace(_ => resolver);
    }

    /// <summary>Replaces the authority resolver.</summary>
    /// <param name="factory">Creates the resolver.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseAuthorityResolver(Func<IServiceProvider, IAuthorityResolver> factory) => Replace(factory);

    /// <summary>Replaces the risk classifier.</summary>
    /// <param name="factory">Creates the classifier.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseRiskClassifier(Func<IServiceProvider, IRiskClassifier> factory) => Replace(factory);

    /// <summary>Replaces the model router.</summary>
    /// <param name="factory">Creates the router.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseModelRouter(Func<IServiceProvider, IModelRouter> factory) => Replace(factory);

    /// <summary>Replaces the context assembler.</summary>
    /// <param name="factory">Creates the assembler.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder UseContextAssembler(Func<IServiceProvider, IContextAssembler> factory) => Replace(factory);

    /// <summary>Adds an evaluator run at the evaluation stage.</summary>
    /// <param name="evaluator">The evaluator.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddEvaluator(IEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        Services.AddSingleton(evaluator);
        return this;
    }

    /// <summary>Adds a host admission check (run after the runtime's mandatory checks).</summary>
    /// <param name="check">The check.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddAdmissionCheck(IAdmissionCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        Services.AddSingleton(check);
        return this;
    }

    /// <summary>Adds a domain validator of tool results.</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddToolResultValidator(IToolResultValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        Services.AddSingleton(validator);
        return this;
    }

    /// <summary>Adds a domain validator of final answers.</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddAnswerValidator(IAnswerValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        Services.AddSingleton(validator);
        return this;
    }

    /// <summary>Adds a response finalizer: it reviews every answer before the answer leaves the runtime (see <see cref="IResponseFinalizer"/>).</summary>
    /// <param name="finalizer">The finalizer.</param>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddResponseFinalizer(IResponseFinalizer finalizer)
    {
        ArgumentNullException.ThrowIfNull(finalizer);
        Services.AddSingleton(finalizer);
        return this;
    }

    /// <summary>Adds a response finalizer created by dependency injection (a singleton).</summary>
    /// <typeparam name="TFinalizer">The finalizer type.</typeparam>
    /// <returns>The builder.</returns>
    public ARuntimeBuilder AddResponseFinalizer<TFinalizer>()
        where TFinalizer : class, IResponseFinalizer
    {
        Services.AddSingleton<IResponseFinalizer, TFinalizer>();
        return this;
    }

    private ARuntimeBuilder Replace<TService>(Func<IServiceProvider, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<TService>();
        Services.AddSingleton(factory);
        return this;
    }
}
