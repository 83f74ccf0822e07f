namespace ARuntime.Sdk.Routing;

/// <summary>A deployment registered through the builder; its engine is a keyed singleton service named after it.</summary>
internal sealed record DeploymentRegistration(ModelDeployment Deployment);
