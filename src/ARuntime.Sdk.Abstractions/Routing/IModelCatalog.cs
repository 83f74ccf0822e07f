using System.Diagnostics.CodeAnalysis;

namespace ARuntime.Sdk.Routing;

/// <summary>The registered deployments and the engine behind each.</summary>
public interface IModelCatalog
{
    /// <summary>Gets the deployments, in registration order.</summary>
    IReadOnlyList<ModelDeployment> Deployments { get; }

    /// <summary>Finds the engine of a deployment.</summary>
    /// <param name="deploymentName">The deployment name.</param>
    /// <param name="engine">The engine, when found.</param>
    /// <returns><see langword="true"/> when the deployment is registered.</returns>
    bool TryGetEngine(string deploymentName, [NotNullWhen(true)] out Inference.IInferenceEngine? engine);
}
