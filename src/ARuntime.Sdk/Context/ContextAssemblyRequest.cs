using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Risk;

namespace ARuntime.Sdk.Context;

/// <summary>What context assembly works from.</summary>
public sealed record ContextAssemblyRequest
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the request.</summary>
    public required RuntimeRequest Request { get; init; }

    /// <summary>Gets the resolved authority.</summary>
    public required AuthorityGrant Authority { get; init; }

    /// <summary>Gets the request's risk assessment (for policy decisions about sources).</summary>
    public RiskAssessment Risk { get; init; } = RiskAssessment.Low;

    /// <summary>Gets the current time.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Gets the tokenizer of the deployment the request is routed to first, when it offers one; otherwise tokens are estimated.</summary>
    public ITokenCounter? TokenCounter { get; init; }
}
