namespace ARuntime.Sdk.Contracts;

/// <summary>How a tool's operations are made idempotent and how the runtime derives their operation key.</summary>
public sealed record ToolIdempotency
{
    /// <summary>Not idempotent; never retried automatically.</summary>
    public static ToolIdempotency NotIdempotent { get; } = new();

    /// <summary>Idempotent by nature.</summary>
    public static ToolIdempotency Natural { get; } = new() { Kind = IdempotencyKind.Natural };

    /// <summary>Gets how repeating the operation behaves.</summary>
    public IdempotencyKind Kind { get; init; } = IdempotencyKind.None;

    /// <summary>
    /// Gets the arguments whose values identify the operation: top-level property names, or JSON Pointers (RFC 6901, starting
    /// with <c>/</c>) into the arguments. The operation key is derived from the tenant, the <see cref="Scope"/>, the tool name
    /// and these values; empty means all arguments.
    /// </summary>
    public IReadOnlyList<string> KeyArguments { get; init => field = value ?? []; } = [];

    /// <summary>Gets which calls count as the same operation (per request, the default, or per tenant).</summary>
    public OperationKeyScope Scope { get; init; } = OperationKeyScope.Request;
}
