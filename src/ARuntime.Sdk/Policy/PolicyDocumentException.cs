namespace ARuntime.Sdk.Policy;

/// <summary>A policy document or rule set is invalid. <see cref="Errors"/> lists every problem, each with its location.</summary>
public sealed class PolicyDocumentException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public PolicyDocumentException()
        : base("The policy is invalid.")
    {
        Errors = [];
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public PolicyDocumentException(string message)
        : base(message)
    {
        Errors = [message];
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PolicyDocumentException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="errors">Every problem found, each with its location.</param>
    public PolicyDocumentException(IReadOnlyList<string> errors)
        : base(Describe(errors))
    {
        Errors = errors ?? [];
    }

    /// <summary>Gets every problem found, each with its location (for example <c>rules[2].outcome: 'alow' is not an outcome</c>).</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Describe(IReadOnlyList<string>? errors) =>
        errors is null || errors.Count == 0
            ? "The policy is invalid."
            : $"The policy is invalid ({errors.Count} problem{(errors.Count == 1 ? string.Empty : "s")}):" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e));
}
