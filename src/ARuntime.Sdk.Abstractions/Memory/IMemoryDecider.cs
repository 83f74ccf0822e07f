namespace ARuntime.Sdk.Memory;

/// <summary>
/// The memory decision stage's policy: what a finished request may retain. The default retains nothing; hosts register a
/// decider that proposes items (which policy then authorizes).
/// </summary>
public interface IMemoryDecider
{
    /// <summary>Proposes items to retain.</summary>
    /// <param name="context">The finished request.</param>
    /// <param name="cancellationToken">Cancels the decision.</param>
    /// <returns>The items to retain (possibly none).</returns>
    ValueTask<IReadOnlyList<MemoryWrite>> DecideAsync(MemoryDecisionContext context, CancellationToken cancellationToken = default);
}
