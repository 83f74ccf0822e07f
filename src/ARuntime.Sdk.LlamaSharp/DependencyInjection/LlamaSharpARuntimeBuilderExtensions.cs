using System.Diagnostics.Metrics;
using ARuntime.Sdk.LlamaSharp;
using ARuntime.Sdk.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Builder extensions live in the builder's namespace, by convention.
namespace ARuntime.Sdk;
#pragma warning restore IDE0130

/// <summary>Registers llama.cpp model deployments (<see cref="LlamaSharpEngine"/>) with the agent runtime.</summary>
public static class LlamaSharpARuntimeBuilderExtensions
{
    /// <summary>The provider name of llama.cpp deployments.</summary>
    public const string ProviderName = "llama.cpp";

    /// <summary>
    /// Registers a local llama.cpp deployment named <paramref name="deploymentName"/>: its options (named after the
    /// deployment, validated at startup), and a <see cref="LlamaSharpEngine"/> singleton keyed by the deployment name
    /// that serves it. Call once per model; the model router chooses among the deployments.
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="deploymentName">The deployment name routes refer to.</param>
    /// <param name="configure">Configures the engine (at least <see cref="LlamaSharpEngineOptions.ModelPath"/>).</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddARuntime(o => o.ApplicationRelease = "1.2.0")
    ///     .UseLlamaSharp("local", o => o.ModelPath = "models/qwen2.5-1.5b-instruct-q4_k_m.gguf")
    ///     .UseInMemoryEvidence();
    /// </code>
    /// </example>
    public static ARuntimeBuilder UseLlamaSharp(this ARuntimeBuilder builder, string deploymentName, Action<LlamaSharpEngineOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentName);
        return builder.UseLlamaSharp(new ModelDeployment { Name = deploymentName, Provider = ProviderName, Region = "local" }, configure);
    }

    /// <summary>
    /// Registers a local llama.cpp deployment described by <paramref name="deployment"/> (name, precision, capabilities,
    /// price, timeout, data sensitivity); see <see cref="UseLlamaSharp(ARuntimeBuilder, string, Action{LlamaSharpEngineOptions})"/>.
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="deployment">The deployment.</param>
    /// <param name="configure">Configures the engine.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder UseLlamaSharp(this ARuntimeBuilder builder, ModelDeployment deployment, Action<LlamaSharpEngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment.Name);

        var name = deployment.Name;
        builder.Services.AddOptions<LlamaSharpEngineOptions>(name).Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlamaSharpEngineOptions>, LlamaSharpEngineOptionsValidator>());
        builder.Services.AddKeyedSingleton(name, (sp, _) => new LlamaSharpEngine(
            sp.GetRequiredService<IOptionsMonitor<LlamaSharpEngineOptions>>().Get(name),
            name,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<IMeterFactory>()));
        return builder.AddDeployment(deployment, sp => sp.GetRequiredKeyedService<LlamaSharpEngine>(name));
    }
}
