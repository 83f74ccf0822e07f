namespace ARuntime.Sdk;

/// <summary>One tool call the model proposed, and what became of it.</summary>
public sealed record ToolCallSummary
{
    /// <summary>Gets the call id.</summary>
    public required string CallId { get; init; }

    /// <summary>Gets the tool name the model proposed.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the outcome.</summary>
    public required ToolCallOutcome Outcome { get; init; }

    /// <summary>Gets the reason codes (policy, validation or failure) behind the outcome.</summary>
    public IReadOnlyList<string> ReasonCodes { get; init => field = value ?? []; } = [];

    /// <summary>Gets the operation key the call ran under, if it was executed.</summary>
    public string? OperationKey { get; init; }

    /// <summary>Gets an explanation safe to show the caller (for example why the call was denied).</summary>
    public string? Explanation { get; init; }
}
