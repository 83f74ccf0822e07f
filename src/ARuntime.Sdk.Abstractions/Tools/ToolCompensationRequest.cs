using ARuntime.Sdk.Secrets;

namespace ARuntime.Sdk.Tools;

/// <summary>The earlier call a compensation undoes.</summary>
public sealed record ToolCompensationRequest
{
    /// <summary>Gets the original call as it ran.</summary>
    public required ToolCall Call { get; init; }

    /// <summary>Gets the original call's operation key.</summary>
    public required string OperationKey { get; init; }

    /// <summary>Gets the original call's result.</summary>
    public required ToolResult Result { get; init; }

    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets why compensation runs (for example <c>tool.failed</c> or <c>request.cancelled</c>).</summary>
    public required string Reason { get; init; }

    /// <summary>Gets the compensation attempt number, starting at 1.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>
    /// Gets the credential named by the tool's <see cref="Contracts.ToolDescriptor.AuthReference"/>, resolved for this request as for
    /// the call itself (redacted from what the runtime records and shows); <see langword="null"/> for a tool without one.
    /// </summary>
    public SecretValue? Credential { get; init; }
}
