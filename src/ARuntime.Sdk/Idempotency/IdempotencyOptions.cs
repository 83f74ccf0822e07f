namespace ARuntime.Sdk.Idempotency;

/// <summary>Idempotency settings.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>Gets or sets how long a request idempotency key and its result are kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);
}
