namespace ARuntime.Sdk.Memory;

/// <summary>Where a memory item came from.</summary>
public sealed record MemoryProvenance
{
    /// <summary>Gets the request that produced the item.</summary>
    public string? SourceRequestId { get; init; }

    /// <summary>Gets the kind of source (for example <c>answer</c>, <c>tool.result</c>, <c>user.statement</c>, <c>import</c>).</summary>
    public required string SourceType { get; init; }

    /// <summary>Gets the actor whose request produced the item.</summary>
    public string? SourceActorId { get; init; }
}
