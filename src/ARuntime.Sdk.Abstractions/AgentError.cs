namespace ARuntime.Sdk;

/// <summary>A typed error: a stable code from <see cref="AgentErrorCodes"/>, a message, and the offending field where there is one.</summary>
public sealed record AgentError
{
    /// <summary>Gets the stable, machine-readable error code (see <see cref="AgentErrorCodes"/>).</summary>
    public required string Code { get; init; }

    /// <summary>Gets a human-readable message (never contains secrets or raw payloads).</summary>
    public required string Message { get; init; }

    /// <summary>Gets the path of the offending request field in JSON naming (for example <c>identity.tenantId</c>), if the error is about one.</summary>
    public string? Field { get; init; }

    /// <summary>Gets the lifecycle stage that raised the error, if any.</summary>
    public Contracts.LifecycleStage? Stage { get; init; }
}
