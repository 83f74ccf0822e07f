using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Context;

/// <summary>One piece of context with its provenance, freshness, scope and classification.</summary>
public sealed record ContextItem
{
    /// <summary>Gets the item's id within its source.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the content.</summary>
    public required string Content { get; init; }

    /// <summary>Gets the tenant the item belongs to; items of another tenant are discarded and recorded.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the name of the source the item came from (filled in by the runtime when it assembles context).</summary>
    public string? Source { get; init; }

    /// <summary>Gets the item's scope (for example a project or folder); <see langword="null"/> is the tenant's default scope.</summary>
    public string? Scope { get; init; }

    /// <summary>Gets where the item lives (a URI, document path or record key), for citations.</summary>
    public string? Location { get; init; }

    /// <summary>Gets when the item's content was last updated at its origin (the freshness rule reads it).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets the item's classification.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Gets the relevance score the source assigned (higher is more relevant).</summary>
    public double Score { get; init; }
}
