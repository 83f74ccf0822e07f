namespace ARuntime.Sdk.Idempotency;

/// <summary>Idempotency settings.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>
    /// Gets or sets how long a request idempotency key and its result are kept (default 24 hours). A repeat within it returns
    /// the original result; after it the key is forgotten and a repeat runs as a new request.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Gets or sets how long the in-memory operation ledger keeps a tool operation (default 7 days). Keep it at least as long
    /// as <see cref="Retention"/>, so that a request repeated under its idempotency key still finds its operations.
    /// </summary>
    public TimeSpan OperationRetention { get; set; } = TimeSpan.FromDays(7);
}
