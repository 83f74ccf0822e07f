namespace ARuntime.Sdk.Contracts;

/// <summary>The request's memory policy: whether memory is read or written, in which scope, and how long new items live.</summary>
public sealed record MemoryPolicy
{
    /// <summary>No memory: nothing read, nothing retained.</summary>
    public static MemoryPolicy None { get; } = new();

    /// <summary>Gets what the request may do with memory.</summary>
    public MemoryMode Mode { get; init; } = MemoryMode.None;

    /// <summary>Gets whose memory is used.</summary>
    public MemoryScopeKind Scope { get; init; } = MemoryScopeKind.Actor;

    /// <summary>Gets how long retained items live; <see langword="null"/> uses the store's retention for the request's retention class.</summary>
    public TimeSpan? RetainFor { get; init; }
}
