namespace ARuntime.Sdk.Tools;

/// <summary>A tool registered through the builder; created once, when the registry is built at startup.</summary>
internal sealed record ToolRegistration(Func<IServiceProvider, AgentTool> Factory);
