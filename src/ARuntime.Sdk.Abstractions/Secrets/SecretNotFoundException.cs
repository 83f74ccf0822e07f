namespace ARuntime.Sdk.Secrets;

/// <summary>A credential reference could not be resolved. The message names the reference, never a value.</summary>
public class SecretNotFoundException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SecretNotFoundException()
        : base("The secret reference could not be resolved.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public SecretNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SecretNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
