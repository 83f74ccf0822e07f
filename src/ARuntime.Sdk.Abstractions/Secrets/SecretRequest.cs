namespace ARuntime.Sdk.Secrets;

/// <summary>A request to resolve a credential reference, late, at the moment a tool needs it.</summary>
public sealed record SecretRequest
{
    /// <summary>Gets the reference (the tool descriptor's auth reference).</summary>
    public required string Reference { get; init; }

    /// <summary>Gets the tenant (credentials may be per tenant).</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the tool that needs the credential.</summary>
    public string? ToolName { get; init; }

    /// <summary>Gets the request id.</summary>
    public string? RequestId { get; init; }
}
