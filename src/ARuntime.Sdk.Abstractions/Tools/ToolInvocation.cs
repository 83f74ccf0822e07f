using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Secrets;

namespace ARuntime.Sdk.Tools;

/// <summary>What a tool receives when it runs: the authorized call and the context it runs in.</summary>
public sealed record ToolInvocation
{
    /// <summary>Gets the call (arguments possibly transformed by policy or changed by an approver).</summary>
    public required ToolCall Call { get; init; }

    /// <summary>Gets the operation key: the same logical operation always gets the same key, across retries and restarts.</summary>
    public required string OperationKey { get; init; }

    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets who the call runs for.</summary>
    public required RequestIdentity Identity { get; init; }

    /// <summary>Gets the attempt number, starting at 1.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Gets the credential named by the descriptor's auth reference, resolved just before execution; <see langword="null"/> when the tool has none.</summary>
    public SecretValue? Credential { get; init; }

    /// <summary>Gets the host's service provider, for tools that resolve dependencies per call.</summary>
    public IServiceProvider? Services { get; init; }
}
