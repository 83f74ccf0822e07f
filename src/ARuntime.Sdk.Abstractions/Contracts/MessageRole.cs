namespace ARuntime.Sdk.Contracts;

/// <summary>The author of a conversation message.</summary>
public enum MessageRole
{
    /// <summary>Instructions from the application (never from the end user).</summary>
    System = 0,

    /// <summary>The end user.</summary>
    User = 1,

    /// <summary>The model.</summary>
    Assistant = 2,

    /// <summary>The result of a tool call, produced by the runtime.</summary>
    Tool = 3,
}
