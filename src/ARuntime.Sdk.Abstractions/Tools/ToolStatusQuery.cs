using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Secrets;

namespace ARuntime.Sdk.Tools;

/// <summary>A query for the status of an earlier operation.</summary>
public sealed record ToolStatusQuery
{
    /// <summary>Gets the operation key.</summary>
    public required string OperationKey { get; init; }

    /// <summary>Gets the original call, if known.</summary>
    public ToolCall? Call { get; init; }

    /// <summary>Gets the identity the operation ran for.</summary>
    public RequestIdentity? Identity { get; init; }

    /// <summary>
    /// Gets the credential named by the tool's <see cref="Contracts.ToolDescriptor.AuthReference"/>, resolved for this request as for
    /// the call itself (redacted from what the runtime records and shows); <see langword="null"/> for a tool without one.
    /// </summary>
    public SecretValue? Credential { get; init; }
}
