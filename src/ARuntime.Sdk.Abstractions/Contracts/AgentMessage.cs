namespace ARuntime.Sdk.Contracts;

/// <summary>One message of a conversation, with the classification of its content.</summary>
public sealed record AgentMessage
{
    /// <summary>Gets the author.</summary>
    public required MessageRole Role { get; init; }

    /// <summary>Gets the text content.</summary>
    public required string Content { get; init; }

    /// <summary>Gets the tool call this message answers, for <see cref="MessageRole.Tool"/> messages.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>Gets the tool name, for <see cref="MessageRole.Tool"/> messages.</summary>
    public string? ToolName { get; init; }

    /// <summary>Gets the classification of the content.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Creates a system message.</summary>
    /// <param name="content">The text.</param>
    /// <returns>The message.</returns>
    public static AgentMessage System(string content) => new() { Role = MessageRole.System, Content = content };

    /// <summary>Creates a user message.</summary>
    /// <param name="content">The text.</param>
    /// <returns>The message.</returns>
    public static AgentMessage User(string content) => new() { Role = MessageRole.User, Content = content };

    /// <summary>Creates an assistant message.</summary>
    /// <param name="content">The text.</param>
    /// <returns>The message.</returns>
    public static AgentMessage Assistant(string content) => new() { Role = MessageRole.Assistant, Content = content };
}
