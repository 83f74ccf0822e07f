using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Telemetry;

/// <summary>
/// The runtime's telemetry, in one place: the activity source, the meter (from the host's <see cref="IMeterFactory"/> when
/// it registered one) and its instruments, the resolved content-capture and tenant settings. The lifecycle calls it through
/// the per-request <see cref="RequestTelemetry"/> so that stage files stay free of telemetry detail. One per service provider.
/// </summary>
internal sealed class RuntimeTelemetry : IDisposable
{
    private readonly Meter meter;
    private readonly bool ownsMeter;
    private readonly byte[]? tenantKey;

    public RuntimeTelemetry(IOptions<ARuntimeOptions> options, TimeProvider timeProvider, IServiceProvider services)
        : this(options.Value, timeProvider, services.GetService<IMeterFactory>(), Environment.GetEnvironmentVariable)
    {
    }

    internal RuntimeTelemetry(ARuntimeOptions options, TimeProvider timeProvider, IMeterFactory? meterFactory, Func<string, string?> environment)
    {
        Options = options;
        Time = timeProvider;
        var telemetry = options.Telemetry;
        CapturesContent = ResolveContentCapture(telemetry.CaptureMessageContent, environment(TelemetryOptions.CaptureMessageContentEnvironmentVariable));
        MaxContentLength = telemetry.MaxContentLength;
        tenantKey = telemetry.TenantHashKey.IsEmpty ? null : telemetry.TenantHashKey.ToArray();
        AgentId = telemetry.AgentId ?? options.AgentName;

        ownsMeter = meterFactory is null;
        var meterOptions = new MeterOptions(ARuntimeDiagnostics.MeterName) { Version = ARuntimeDiagnostics.RuntimeVersion };
        meter = meterFactory?.Create(meterOptions) ?? new Meter(meterOptions);

        TokenUsage = meter.CreateHistogram(SemanticConventions.ClientTokenUsage, "{token}", "Number of input and output tokens used.", null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = SemanticConventions.TokenBuckets });
        OperationDuration = Seconds(SemanticConventions.ClientOperationDuration, "GenAI operation duration.", SemanticConventions.DurationBuckets);
        TimeToFirstChunk = Seconds(SemanticConventions.ClientTimeToFirstChunk,
            "Time to receive the first chunk, measured from when the client issues the generation request to when the first chunk is received in the response stream.",
            SemanticConventions.DurationBuckets);
        ServerTimeToFirstToken = Seconds(SemanticConventions.ServerTimeToFirstToken, "Time to generate first token for successful responses.", SemanticConventions.TimeToFirstTokenBuckets);
        ServerTimePerOutputToken = Seconds(SemanticConventions.ServerTimePerOutputToken, "Time per output token generated after the first token for successful responses.", SemanticConventions.TimePerOutputTokenBuckets);
        InvokeAgentDuration = Seconds(SemanticConventions.InvokeAgentDuration, "The end-to-end duration of a single agent invocation.", SemanticConventions.AgentDurationBuckets);
        ExecuteToolDuration = Seconds(SemanticConventions.ExecuteToolDuration, "The duration of a single tool execution.", SemanticConventions.DurationBuckets);
        StageDuration = Seconds(SemanticConventions.StageDuration, "Duration of one execution of a lifecycle stage.", SemanticConventions.DurationBuckets);
        QueueWait = Seconds(SemanticConventions.InferenceQueueWait, "Time an inference call waited in the engine's queue before it was admitted.", SemanticConventions.DurationBuckets);
        PolicyDecisions = meter.CreateCounter<long>(SemanticConventions.PolicyDecisions, "{decision}", "Policy decisions, by action and outcome.");
        EvidenceWriteDuration = Seconds(SemanticConventions.EvidenceWriteDuration, "Duration of one evidence record write, to the requested durability.", SemanticConventions.EvidenceBuckets);
        EvidenceFlushDuration = Seconds(SemanticConventions.EvidenceFlushDuration, "Duration of one evidence flush.", SemanticConventions.EvidenceBuckets);
        EvidenceWriteFailures = meter.CreateCounter<long>(SemanticConventions.EvidenceWriteFailures, "{operation}", "Evidence writes and flushes that failed.");
        EvaluationScore = meter.CreateHistogram(SemanticConventions.EvaluationScoreInstrument, "{score}", "Evaluation score values, in each metric's own unit (0 to 1 for scores).", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = SemanticConventions.ScoreBuckets });
        EvaluationResults = meter.CreateCounter<long>(SemanticConventions.EvaluationResultsInstrument, "{score}", "Evaluation scores, by metric and pass or fail.");
    }

    public ARuntimeOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>Gets whether spans carry the opt-in content attributes.</summary>
    public bool CapturesContent { get; }

    public int MaxContentLength { get; }

    public string AgentId { get; }

    public Meter Meter => meter;

    public Histogram<long> TokenUsage { get; }

    public Histogram<double> OperationDuration { get; }

    public Histogram<double> TimeToFirstChunk { get; }

    public Histogram<double> ServerTimeToFirstToken { get; }

    public Histogram<double> ServerTimePerOutputToken { get; }

    public Histogram<double> InvokeAgentDuration { get; }

    public Histogram<double> ExecuteToolDuration { get; }

    public Histogram<double> StageDuration { get; }

    public Histogram<double> QueueWait { get; }

    public Counter<long> PolicyDecisions { get; }

    public Histogram<double> EvidenceWriteDuration { get; }

    public Histogram<double> EvidenceFlushDuration { get; }

    public Counter<long> EvidenceWriteFailures { get; }

    public Histogram<double> EvaluationScore { get; }

    public Counter<long> EvaluationResults { get; }

    public static ActivitySource Source => ARuntimeDiagnostics.ActivitySource;

    /// <summary>An explicit option wins; otherwise the conventions' environment variable decides; off by default.</summary>
    public static bool ResolveContentCapture(bool? option, string? environmentValue) =>
        option ?? string.Equals(environmentValue?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts the telemetry of one run of a request (a new request, or a resumed one) and attaches it to the context.</summary>
    public RequestTelemetry StartRequest(RequestContext context, bool resumed)
    {
        var telemetry = RequestTelemetry.Start(this, context, resumed);
        context.Telemetry = telemetry;
        return telemetry;
    }

    /// <summary>Wraps the evidence sink so writes and flushes are measured.</summary>
    public IEvidenceSink Instrument(IEvidenceSink sink) => sink as InstrumentedEvidenceSink ?? new InstrumentedEvidenceSink(sink, this);

    /// <summary>Returns the tenant's hash for <c>aruntime.tenant.hash</c>, or <see langword="null"/> when the tenant is omitted.</summary>
    public string? TenantAttribute(string tenantId)
    {
        if (Options.Telemetry.Tenant == TenantTelemetryMode.Omitted || string.IsNullOrEmpty(tenantId))
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(tenantId);
        if (tenantKey is null)
        {
            SHA256.HashData(bytes, hash);
        }
        else
        {
            HMACSHA256.HashData(tenantKey, bytes, hash);
        }

        // 64 bits: enough to tell tenants apart, short enough for a span attribute.
        return Convert.ToHexStringLower(hash[..8]);
    }

    public void Dispose()
    {
        if (ownsMeter)
        {
            meter.Dispose();
        }
    }

    private Histogram<double> Seconds(string name, string description, double[] buckets) =>
        meter.CreateHistogram(name, "s", description, null, new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });
}
