using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Risk;

/// <summary>What risk classification works from.</summary>
public sealed record RiskContext
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the admitted request.</summary>
    public required RuntimeRequest Request { get; init; }

    /// <summary>Gets the resolved authority.</summary>
    public required AuthorityGrant Authority { get; init; }

    /// <summary>Gets the descriptors of the tools the model will be offered.</summary>
    public required IReadOnlyList<ToolDescriptor> OfferedTools { get; init; }
}
