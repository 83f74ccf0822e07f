using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Authority;

/// <summary>What authority resolution works from.</summary>
public sealed record AuthorityContext
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the admitted request.</summary>
    public required RuntimeRequest Request { get; init; }

    /// <summary>Gets the descriptors of the tools the request lists (all registered; admission checked).</summary>
    public required IReadOnlyList<ToolDescriptor> RequestedTools { get; init; }

    /// <summary>Gets the time of resolution.</summary>
    public required DateTimeOffset Now { get; init; }
}
