namespace ARuntime.Sdk.Secrets;

/// <summary>
/// A resolved credential. Its text is available only through <see cref="Reveal"/>; <see cref="ToString"/> and serialization
/// never show it, and the runtime redacts it from anything a model, a log or evidence could see.
/// </summary>
public sealed class SecretValue
{
    private readonly string value;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="reference">The reference the value was resolved from.</param>
    /// <param name="value">The secret text.</param>
    public SecretValue(string reference, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        ArgumentException.ThrowIfNullOrEmpty(value);
        Reference = reference;
        this.value = value;
    }

    /// <summary>Gets the reference the value was resolved from.</summary>
    public string Reference { get; }

    /// <summary>Returns the secret text. Pass it straight to the system that needs it; never log, return or prompt with it.</summary>
    /// <returns>The secret text.</returns>
    public string Reveal() => value;

    /// <inheritdoc />
    public override string ToString() => $"[secret:{Reference}]";
}
