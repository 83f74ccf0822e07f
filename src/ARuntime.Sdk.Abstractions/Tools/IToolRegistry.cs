using System.Diagnostics.CodeAnalysis;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tools;

/// <summary>The registry of tools the runtime may offer to models. Registration validates each descriptor; lookups are by name.</summary>
public interface IToolRegistry
{
    /// <summary>Gets the descriptors of every registered tool.</summary>
    IReadOnlyList<ToolDescriptor> Descriptors { get; }

    /// <summary>Finds a tool by name (ordinal).</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="tool">The tool, when found.</param>
    /// <returns><see langword="true"/> when a tool of that name is registered.</returns>
    bool TryGetTool(string name, [NotNullWhen(true)] out AgentTool? tool);
}
