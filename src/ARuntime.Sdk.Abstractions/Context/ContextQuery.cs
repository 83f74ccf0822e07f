using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Context;

/// <summary>A query to one context source.</summary>
public sealed record ContextQuery
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets who the request runs for (the tenant scopes everything).</summary>
    public required RequestIdentity Identity { get; init; }

    /// <summary>Gets the query text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the scopes items must belong to; empty means the tenant's default scope.</summary>
    public IReadOnlyList<string> Scopes { get; init => field = value ?? []; } = [];

    /// <summary>Gets the maximum number of items wanted.</summary>
    public int MaxItems { get; init; } = 8;

    /// <summary>Gets the current time (from the runtime's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset Now { get; init; }
}
