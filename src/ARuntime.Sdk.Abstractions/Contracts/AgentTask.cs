namespace ARuntime.Sdk.Contracts;

/// <summary>What the agent is asked to do.</summary>
public sealed record AgentTask
{
    /// <summary>Gets the task text (the user's request). Its length is limited at admission.</summary>
    public required string Prompt { get; init; }

    /// <summary>Gets the application's instructions to the model (the system prompt), if any.</summary>
    public string? Instructions { get; init; }

    /// <summary>Gets earlier conversation turns to continue from, oldest first.</summary>
    public IReadOnlyList<AgentMessage> History { get; init => field = value ?? []; } = [];

    /// <summary>Gets an optional host-defined task kind (for routing, policy and evaluation rules).</summary>
    public string? Kind { get; init; }

    /// <summary>Gets the classification of the task text and history.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;
}
