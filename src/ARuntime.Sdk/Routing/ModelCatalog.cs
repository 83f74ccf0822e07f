using System.Diagnostics.CodeAnalysis;
using ARuntime.Sdk.Inference;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Routing;

/// <summary>The deployments registered through the builder, each backed by a keyed <see cref="IInferenceEngine"/> singleton.</summary>
internal sealed class ModelCatalog : IModelCatalog
{
    private readonly IServiceProvider services;
    private readonly Dictionary<string, ModelDeployment> byName = new(StringComparer.Ordinal);

    public ModelCatalog(IEnumerable<DeploymentRegistration> registrations, IServiceProvider services)
    {
        this.services = services;
        var list = new List<ModelDeployment>();
        foreach (var registration in registrations)
        {
            if (!byName.TryAdd(registration.Deployment.Name, registration.Deployment))
            {
                throw new InvalidOperationException($"Deployment '{registration.Deployment.Name}' is registered twice.");
            }

            list.Add(registration.Deployment);
        }

        Deployments = list;
    }

    public IReadOnlyList<ModelDeployment> Deployments { get; }

    public bool TryGetDeployment(string name, [NotNullWhen(true)] out ModelDeployment? deployment) => byName.TryGetValue(name, out deployment);

    public bool TryGetEngine(string deploymentName, [NotNullWhen(true)] out IInferenceEngine? engine)
    {
        if (!byName.ContainsKey(deploymentName))
        {
            engine = null;
            return false;
        }

        engine = services.GetRequiredKeyedService<IInferenceEngine>(deploymentName);
        return true;
    }
}
