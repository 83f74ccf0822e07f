using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ARuntime.Sdk.LlamaSharp.Telemetry;

/// <summary>
/// The engine's ActivitySource and Meter (both named <see cref="Name"/>): one <c>llama.infer</c> span per inference, and
/// token, latency, queue and prefix-cache instruments (docs/inference-engine.md, "Telemetry"). One instance per engine;
/// the meter comes from the host's <see cref="IMeterFactory"/> when there is one.
/// </summary>
internal sealed class LlamaSharpTelemetry : IDisposable
{
    /// <summary>The ActivitySource and Meter name.</summary>
    public const string Name = "ARuntime.Sdk.LlamaSharp";

    /// <summary>The shared activity source.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, typeof(LlamaSharpTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Meter meter;
    private readonly bool ownsMeter;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="meterFactory">The host's meter factory, or <see langword="null"/>.</param>
    /// <param name="deployment">The deployment name, a tag on every measurement.</param>
    /// <param name="queueLength">Reads the number of waiting requests.</param>
    /// <param name="activeSequences">Reads the number of active sequences.</param>
    /// <param name="prefixCacheBytes">Reads the prefix cache size in bytes.</param>
    public LlamaSharpTelemetry(IMeterFactory? meterFactory, string deployment, Func<int> queueLength, Func<int> activeSequences, Func<long> prefixCacheBytes)
    {
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(Name) ?? new Meter(Name);
        Deployment = new KeyValuePair<string, object?>("aruntime.deployment", deployment);

        PromptTokens = meter.CreateCounter<long>("aruntime.llama.prompt_tokens", "{token}", "Prompt tokens, including those served from the prefix cache.");
        CachedPromptTokens = meter.CreateCounter<long>("aruntime.llama.cached_prompt_tokens", "{token}", "Prompt tokens whose KV state came from the prefix cache.");
        GeneratedTokens = meter.CreateCounter<long>("aruntime.llama.generated_tokens", "{token}", "Generated tokens.");
        TimeToFirstToken = meter.CreateHistogram<double>("aruntime.llama.time_to_first_token", "s", "Time from submission to the first generated token.");
        QueueWait = meter.CreateHistogram<double>("aruntime.llama.queue_wait", "s", "Time a request waited for admission.");
        DecodeRate = meter.CreateHistogram<double>("aruntime.llama.decode_rate", "{token}/s", "Per-request decode rate after the first token.");
        Rejections = meter.CreateCounter<long>("aruntime.llama.rejections", "{request}", "Requests rejected because the queue was full.");
        PrefixCacheLookups = meter.CreateCounter<long>("aruntime.llama.prefix_cache.lookups", "{lookup}", "Prefix cache lookups, tagged hit=true|false.");
        Preemptions = meter.CreateCounter<long>("aruntime.llama.preemptions", "{sequence}", "Sequences paused to free KV cells.");
        meter.CreateObservableGauge("aruntime.llama.queue_length", () => new Measurement<int>(queueLength(), Deployment), "{request}", "Requests waiting for admission.");
        meter.CreateObservableGauge("aruntime.llama.active_sequences", () => new Measurement<int>(activeSequences(), Deployment), "{sequence}", "Sequences decoding or prefilling.");
        meter.CreateObservableGauge("aruntime.llama.prefix_cache.size", () => new Measurement<long>(prefixCacheBytes(), Deployment), "By", "Bytes of saved prefix states.");
    }

    /// <summary>Gets the deployment tag.</summary>
    public KeyValuePair<string, object?> Deployment { get; }

    /// <summary>Gets the prompt token counter.</summary>
    public Counter<long> PromptTokens { get; }

    /// <summary>Gets the cached prompt token counter.</summary>
    public Counter<long> CachedPromptTokens { get; }

    /// <summary>Gets the generated token counter.</summary>
    public Counter<long> GeneratedTokens { get; }

    /// <summary>Gets the time-to-first-token histogram.</summary>
    public Histogram<double> TimeToFirstToken { get; }

    /// <summary>Gets the queue wait histogram.</summary>
    public Histogram<double> QueueWait { get; }

    /// <summary>Gets the decode rate histogram.</summary>
    public Histogram<double> DecodeRate { get; }

    /// <summary>Gets the rejection counter.</summary>
    public Counter<long> Rejections { get; }

    /// <summary>Gets the prefix cache lookup counter.</summary>
    public Counter<long> PrefixCacheLookups { get; }

    /// <summary>Gets the preemption counter.</summary>
    public Counter<long> Preemptions { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (ownsMeter)
        {
            meter.Dispose();
        }
    }
}
