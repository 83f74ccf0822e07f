namespace ARuntime.Sdk.Memory;

/// <summary>The default memory decider: retains nothing. Register your own to let requests with a read-write memory policy retain items.</summary>
public sealed class NoMemoryDecider : IMemoryDecider
{
    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MemoryWrite>> DecideAsync(MemoryDecisionContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<MemoryWrite>>([]);
}
