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

    /// <summary>Gets the approved fallback source for each source name (used when the source fails).</summary>
    public IDictionary<string, string> FallbackSources { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
