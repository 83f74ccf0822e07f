namespace ARuntime.Sdk.Tools;

/// <summary>A tool declaration is invalid or contradictory; thrown at registration (startup), naming the tool and the problem.</summary>
public sealed class ToolRegistrationException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public ToolRegistrationException()
        : base("The tool declaration is invalid.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public ToolRegistrationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ToolRegistrationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="toolName">The tool.</param>
    /// <param name="problem">What is wrong.</param>
    public ToolRegistrationException(string? toolName, string problem)
        : base($"Tool '{toolName ?? "(unnamed)"}' cannot be registered: {problem}")
    {
        ToolName = toolName;
        Problem = problem;
    }

    /// <summary>Gets the tool's name, if known.</summary>
    public string? ToolName { get; }

    /// <summary>Gets what is wrong with the declaration.</summary>
    public string? Problem { get; }
}
