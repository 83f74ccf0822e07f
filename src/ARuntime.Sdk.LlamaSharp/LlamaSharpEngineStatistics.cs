namespace ARuntime.Sdk.LlamaSharp;

/// <summary>A snapshot of a <see cref="LlamaSharpEngine"/>'s queue, sequences and caches.</summary>
public sealed record LlamaSharpEngineStatistics
{
    /// <summary>Gets the number of requests waiting for admission.</summary>
    public int QueueLength { get; init; }

    /// <summary>Gets the number of sequences decoding or prefilling.</summary>
    public int ActiveSequences { get; init; }

    /// <summary>Gets the number of prefix-cache lookups that restored a prefix.</summary>
    public long PrefixCacheHits { get; init; }

    /// <summary>Gets the number of prefix-cache lookups that found none.</summary>
    public long PrefixCacheMisses { get; init; }

    /// <summary>Gets the number of saved prefix states.</summary>
    public int PrefixCacheEntries { get; init; }

    /// <summary>Gets the bytes held by saved prefix states.</summary>
    public long PrefixCacheBytes { get; init; }

    /// <summary>
    /// Gets the number of llama.cpp decodes (one batch each) so far. Generated tokens per decode show how well concurrent
    /// requests are batched.
    /// </summary>
    public long Decodes { get; init; }

    /// <summary>Gets the number of decodes stopped mid-flight for a cancellation or deadline (each is retried for the other sequences in it).</summary>
    public long AbortedDecodes { get; init; }

    /// <summary>Gets the number of times a sequence was paused to free KV cells (it resumes where it stopped).</summary>
    public long Preemptions { get; init; }

    /// <summary>Gets the number of times the context was rebuilt after a failed decode.</summary>
    public long ContextRebuilds { get; init; }

    /// <summary>Gets the number of compiled output schemas cached.</summary>
    public int CompiledSchemas { get; init; }
}
