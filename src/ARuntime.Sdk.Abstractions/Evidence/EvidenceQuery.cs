using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>A query over evidence records; always scoped to one tenant.</summary>
public sealed record EvidenceQuery
{
    /// <summary>Gets the tenant whose records to read.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the request id to match.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the correlation id to match.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Gets the earliest timestamp (inclusive).</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the latest timestamp (exclusive).</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Gets the stage to match.</summary>
    public LifecycleStage? Stage { get; init; }

    /// <summary>Gets the record kind to match.</summary>
    public string? Kind { get; init; }

    /// <summary>Gets the outcome to match.</summary>
    public StageOutcome? Outcome { get; init; }

    /// <summary>Gets the maximum number of records to return.</summary>
    public int? Limit { get; init; }

    /// <summary>Returns whether <paramref name="record"/> matches the query.</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool Matches(EvidenceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return string.Equals(record.TenantId, TenantId, StringComparison.Ordinal)
            && (RequestId is null || string.Equals(record.RequestId, RequestId, StringComparison.Ordinal))
            && (CorrelationId is null || string.Equals(record.CorrelationId, CorrelationId, StringComparison.Ordinal))
            && (From is null || record.Timestamp >= From)
            && (To is null || record.Timestamp < To)
            && (Stage is null || record.Stage == Stage)
            && (Kind is null || string.Equals(record.Kind, Kind, StringComparison.Ordinal))
            && (Outcome is null || record.Outcome == Outcome);
    }
}
