namespace ARuntime.Sdk.Context;

/// <summary>Context-assembly settings.</summary>
public sealed class ContextOptions
{
    /// <summary>Gets or sets how long one context source may take before it counts as failed.</summary>
    public TimeSpan SourceTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how many times a failed source is retried.</summary>
    public int SourceRetries { get; set; } = 1;

    /// <summary>Gets or sets the token budget of all context items together.</summary>
    public int MaxContextTokens { get; set; } = 2048;

    /// <summary>Gets or sets the default maximum number of items per source.</summary>
    public int DefaultMaxItems { get; set; } = 8;

    /// <summary>
    /// Gets or sets the freshness rule applied when a context request sets no <c>MaxAge</c>: items last updated longer ago
    /// are excluded. <see langword="null"/> (the default) accepts items of any age.
    /// </summary>
    public TimeSpan? DefaultMaxAge { get; set; }

    /// <summary>
    /// Gets the approved fallback source for each source name: asked when the source fails (after its retries) or returns
    /// nothing usable (empty, stale, out of scope). The fallback is itself subject to policy (<c>PolicyAction.ContextSource</c>).
    /// </summary>
    public IDictionary<string, string> FallbackSources { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
