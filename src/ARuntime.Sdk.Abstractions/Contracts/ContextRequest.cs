namespace ARuntime.Sdk.Contracts;

/// <summary>A request for context from one named source, assembled before inference.</summary>
public sealed record ContextRequest
{
    /// <summary>Gets the name of the registered context source to ask.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the query to send to the source; defaults to the task prompt.</summary>
    public string? Query { get; init; }

    /// <summary>Gets whether the request cannot be answered without this context (a failure then stops the request).</summary>
    public bool Required { get; init; }

    /// <summary>Gets the maximum age of an item; older items are excluded by the freshness rule.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Gets the maximum number of items to take from this source.</summary>
    public int? MaxItems { get; init; }

    /// <summary>Gets the scopes (for example a project or folder) items must belong to; empty means the tenant's default scope.</summary>
    public IReadOnlyList<string> Scopes { get; init => field = value ?? []; } = [];
}
