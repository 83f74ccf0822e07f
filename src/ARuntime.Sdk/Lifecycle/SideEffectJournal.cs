using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>
/// The saga log of a request: every side-effecting call, registered before it runs, with its compensation state. On a later
/// failure or cancellation the incident stage compensates the executed entries in reverse order.
/// </summary>
internal sealed class SideEffectJournal
{
    public List<SideEffectEntry> Entries { get; } = [];

    public bool HasExecutedEffects
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (entry.State is SideEffectState.Executed)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>One side-effecting call in the saga log.</summary>
internal sealed class SideEffectEntry
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    public required string ToolVersion { get; init; }

    public required SideEffectClass SideEffect { get; init; }

    public required string OperationKey { get; init; }

    public required ToolCall Call { get; init; }

    public bool Compensable { get; init; }

    public SideEffectState State { get; set; } = SideEffectState.Registered;

    public ToolResult? Result { get; set; }

    public IReadOnlyList<string> ChangedResources { get; set; } = [];

    public string? CompensationDetail { get; set; }

    /// <summary>Gets or sets whether the effect may or may not have happened (timeout, crash, exception); recovery asks the status query first.</summary>
    public bool OutcomeUnknown { get; set; }
}

/// <summary>Where a saga entry stands.</summary>
internal enum SideEffectState
{
    /// <summary>Registered before execution; the call has not (yet) taken effect.</summary>
    Registered = 0,

    /// <summary>The call took effect.</summary>
    Executed = 1,

    /// <summary>The call failed without effect.</summary>
    NotExecuted = 2,

    /// <summary>The effect was undone.</summary>
    Compensated = 3,

    /// <summary>Undoing the effect failed or is impossible; reported as partial state.</summary>
    CompensationFailed = 4,
}
