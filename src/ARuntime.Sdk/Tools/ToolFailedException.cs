namespace ARuntime.Sdk.Tools;

/// <summary>
/// Thrown by a typed tool (<see cref="AgentTool{TInput, TOutput}"/>) to report an expected failure: the operation failed
/// without effect. The runtime turns it into <see cref="ToolResult.Failure(string)"/>, showing the model the message — keep
/// it free of secrets and internal detail. Any other exception is treated as a failure whose effect is unknown.
/// </summary>
public sealed class ToolFailedException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public ToolFailedException()
        : base("The tool failed.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">Why the operation failed, safe to show the model.</param>
    public ToolFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">Why the operation failed, safe to show the model.</param>
    /// <param name="innerException">The cause (never shown to the model).</param>
    public ToolFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
