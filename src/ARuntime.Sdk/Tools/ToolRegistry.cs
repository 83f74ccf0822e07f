using System.Diagnostics.CodeAnalysis;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// The runtime's tool registry: every tool registered through the builder, validated once at startup. Also owns each tool's
/// concurrency limit.
/// </summary>
public sealed class ToolRegistry : IToolRegistry
{
    private readonly Dictionary<string, AgentTool> tools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SemaphoreSlim> limits = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance.</summary>
    /// <param name="tools">The tools.</param>
    /// <exception cref="ToolRegistrationException">A declaration is invalid, or two tools share a name.</exception>
    public ToolRegistry(IEnumerable<AgentTool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var descriptors = new List<ToolDescriptor>();
        foreach (var tool in tools)
        {
            ToolDescriptorValidator.Validate(tool);
            var descriptor = tool.Descriptor;
            if (!this.tools.TryAdd(descriptor.Name, tool))
            {
                throw new ToolRegistrationException(descriptor.Name, "another tool is already registered under this name.");
            }

            if (descriptor.MaxConcurrency is { } max)
            {
                limits[descriptor.Name] = new SemaphoreSlim(max, max);
            }

            descriptors.Add(descriptor);
        }

        Descriptors = descriptors;
    }

    /// <inheritdoc />
    public IReadOnlyList<ToolDescriptor> Descriptors { get; }

    /// <inheritdoc />
    public bool TryGetTool(string name, [NotNullWhen(true)] out AgentTool? tool) => tools.TryGetValue(name, out tool);

    /// <summary>Returns the concurrency limiter of a tool, or <see langword="null"/> when it is unlimited.</summary>
    internal SemaphoreSlim? GetLimiter(string name) => limits.GetValueOrDefault(name);
}
