using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Loading;
using ARuntime.Sdk.LlamaSharp.Prompting;
using ARuntime.Sdk.LlamaSharp.Scheduling;
using ARuntime.Sdk.LlamaSharp.StructuredOutput;
using ARuntime.Sdk.LlamaSharp.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ARuntime.Sdk.LlamaSharp;

/// <summary>
/// An <see cref="IInferenceEngine"/> running a GGUF model in-process on llama.cpp (through LLamaSharp): continuous batching
/// of concurrent requests over one context, a bounded fair admission queue, prompts rendered with the model's chat
/// template, JSON-Schema-constrained output, a prefix cache, and per-inference telemetry. See docs/inference-engine.md.
/// </summary>
/// <remarks>
/// The model loads on the first request, or earlier through <see cref="LoadAsync"/> (with progress). Engine failures are
/// <see cref="InferenceException"/>s: <see cref="ModelLoadException"/> (and its subtypes) when the model cannot be loaded,
/// <see cref="InferenceFailureKind.Overloaded"/> when the queue is full, <see cref="InferenceFailureKind.ContextOverflow"/>
/// when a prompt does not fit, <see cref="InferenceFailureKind.UnsupportedRequest"/> for a schema the grammar compiler
/// rejects. Cancellation and deadlines end generation within one decode step with <see cref="StopReason.Cancelled"/> or
/// <see cref="StopReason.Deadline"/> results. <see cref="IInferenceEngine.GetService"/> offers an <see cref="ITokenCounter"/>.
/// </remarks>
public sealed class LlamaSharpEngine : IInferenceEngine, IAsyncDisposable, IDisposable
{
    private readonly LlamaSharpEngineOptions options;
    private readonly string deployment;
    private readonly ILogger logger;
    private readonly ILogger nativeLogger;
    private readonly TimeProvider time;
    private readonly IMeterFactory? meterFactory;
    private readonly GrammarCache grammars;
    private readonly SemaphoreSlim loadGate = new(1, 1);
    private readonly TokenCounter tokenCounter;
    private readonly Lazy<GgufFileInfo?> header;
    private volatile Runtime? runtime;
    private volatile bool disposed;

    /// <summary>Initializes a new instance. Nothing is loaded until <see cref="LoadAsync"/> or the first request.</summary>
    /// <param name="options">The options (copied; later changes have no effect).</param>
    /// <param name="deploymentName">The deployment name used in logs and telemetry; <see langword="null"/> uses the model name or file name.</param>
    /// <param name="loggerFactory">The logger factory; llama.cpp's own log goes to the <c>ARuntime.Sdk.LlamaSharp.Native</c> category.</param>
    /// <param name="timeProvider">The clock for deadlines and latencies; <see langword="null"/> is the system clock.</param>
    /// <param name="meterFactory">The meter factory for the engine's metrics.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    public LlamaSharpEngine(
        LlamaSharpEngineOptions options,
        string? deploymentName = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = LlamaSharpEngineOptionsValidator.GetFailures(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        this.options = Copy(options);
        deployment = deploymentName ?? options.ModelName ?? Path.GetFileNameWithoutExtension(options.ModelPath);
        loggerFactory ??= NullLoggerFactory.Instance;
        logger = loggerFactory.CreateLogger<LlamaSharpEngine>();
        nativeLogger = loggerFactory.CreateLogger("ARuntime.Sdk.LlamaSharp.Native");
        time = timeProvider ?? TimeProvider.System;
        this.meterFactory = meterFactory;
        grammars = new GrammarCache(new ConstraintCompiler(this.options.GrammarOptions).Compile, Math.Max(1, this.options.GrammarOptions.CacheCapacity));
        tokenCounter = new TokenCounter(this);
        header = new Lazy<GgufFileInfo?>(ReadHeaderQuietly);
    }

    /// <summary>Gets or sets faults the scheduler meets, for tests (read when the model loads).</summary>
    internal SchedulerFaults? Faults { get; init; }

    /// <summary>Gets the deployment name.</summary>
    public string DeploymentName => deployment;

    /// <summary>Gets whether the model is loaded.</summary>
    public bool IsLoaded => runtime is not null;

    /// <summary>Gets what the model file declares, once loaded (otherwise <see langword="null"/>).</summary>
    public LlamaModelInfo? ModelInfo => runtime?.Model.Info;

    /// <inheritdoc />
    /// <remarks>Before the model is loaded the metadata comes from the file header (no version yet).</remarks>
    public InferenceEngineMetadata Metadata
    {
        get
        {
            if (runtime is { } loaded)
            {
                return new InferenceEngineMetadata
                {
                    EngineName = EngineVersion.EngineName,
                    EngineVersion = EngineVersion.Full,
                    ModelId = loaded.Model.ModelId,
                    ModelVersion = loaded.Model.ModelVersion,
                    PromptTemplate = loaded.Model.Prompts.Template.Name + "+" + ToolPromptWriter.FormatName,
                    Capabilities = Capabilities(loaded.Scheduler.ContextSize),
                };
            }

            var gguf = header.Value;
            var trained = 0;
            string? name = null;
            if (gguf?.Architecture is { } architecture)
            {
                trained = (int)Math.Clamp(gguf.GetInteger(architecture + ".context_length") ?? 0, 0, int.MaxValue);
                name = gguf.GetString("general.name");
            }

            return new InferenceEngineMetadata
            {
                EngineName = EngineVersion.EngineName,
                EngineVersion = EngineVersion.Full,
                ModelId = options.ModelName ?? (string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(options.ModelPath) : name),
                ModelVersion = options.ModelVersion,
                Capabilities = Capabilities(options.ResolveContextSize(trained)),
            };
        }
    }

    /// <summary>Loads the model and creates the context (once; later calls return at once).</summary>
    /// <param name="progress">Receives progress from 0 to 1 (monotonic, ending with exactly 1), on the loading thread.</param>
    /// <param name="cancellationToken">Stops loading.</param>
    /// <returns>A task that completes when the engine is ready.</returns>
    /// <exception cref="ModelLoadException">The model cannot be loaded (see the subtypes for the typed cases).</exception>
    public async Task LoadAsync(IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the current queue, sequence and prefix-cache figures.</summary>
    /// <returns>The statistics.</returns>
    public LlamaSharpEngineStatistics GetStatistics()
    {
        var loaded = runtime;
        var cache = loaded?.Scheduler.PrefixCache;
        return new LlamaSharpEngineStatistics
        {
            QueueLength = loaded?.Scheduler.QueueLength ?? 0,
            ActiveSequences = loaded?.Scheduler.ActiveCount ?? 0,
            PrefixCacheHits = cache?.Hits ?? 0,
            PrefixCacheMisses = cache?.Misses ?? 0,
            PrefixCacheEntries = cache?.Count ?? 0,
            PrefixCacheBytes = cache?.SizeBytes ?? 0,
            Decodes = loaded?.Scheduler.Decodes ?? 0,
            AbortedDecodes = loaded?.Scheduler.AbortedDecodes ?? 0,
            Preemptions = loaded?.Scheduler.Preemptions ?? 0,
            ContextRebuilds = loaded?.Scheduler.Rebuilds ?? 0,
            CompiledSchemas = grammars.Count,
        };
    }

    /// <inheritdoc />
    public async Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (job, immediate) = await SubmitAsync(request, streaming: false, cancellationToken).ConfigureAwait(false);
        if (immediate is not null)
        {
            return immediate;
        }

        InferenceResult? result = null;
        await foreach (var update in job!.Updates.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            result = update.Result ?? result;
        }

        return result ?? throw new InferenceException(InferenceFailureKind.EngineError, "The inference ended without a result.");
    }

    /// <inheritdoc />
    public IAsyncEnumerable<InferenceUpdate> InferStreamingAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StreamAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ITokenCounter))
        {
            return tokenCounter;
        }

        if (serviceType == typeof(LlamaModelInfo))
        {
            return ModelInfo;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Counts the tokens of <paramref name="text"/> with the model's tokenizer (loading the model if needed).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count (no BOS token, special-token text counted as plain text).</returns>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var loaded = runtime ?? EnsureLoadedAsync(null, CancellationToken.None).GetAwaiter().GetResult();
        return text.Length == 0 ? 0 : loaded.Model.Weights.Tokenize(text, false, false, Encoding.UTF8).Length;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await loadGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (runtime is { } loaded)
            {
                runtime = null;
                await loaded.Scheduler.DisposeAsync().ConfigureAwait(false);
                loaded.Telemetry.Dispose();
                loaded.Model.Dispose();
            }
        }
        finally
        {
            loadGate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static RouteCapabilities Capabilities(int contextTokens) => new()
    {
        ToolCalling = true,
        ConstrainedOutput = true,
        Streaming = true,
        ContextTokens = contextTokens,
    };

    /// <summary>Copies every option (the engine keeps its own copy, so later changes to the caller's object do not apply).</summary>
    internal static LlamaSharpEngineOptions Copy(LlamaSharpEngineOptions o) => new()
    {
        ModelPath = o.ModelPath,
        ModelName = o.ModelName,
        ModelVersion = o.ModelVersion,
        GpuLayerCount = o.GpuLayerCount,
        Threads = o.Threads,
        BatchThreads = o.BatchThreads,
        ContextSize = o.ContextSize,
        MaxContextSize = o.MaxContextSize,
        BatchSize = o.BatchSize,
        UBatchSize = o.UBatchSize,
        MaxSequences = o.MaxSequences,
        MaxQueueLength = o.MaxQueueLength,
        AdmissionGatherWindow = o.AdmissionGatherWindow,
        MaxOutputTokens = o.MaxOutputTokens,
        PrefixCacheBytes = o.PrefixCacheBytes,
        PrefixCacheMinTokens = o.PrefixCacheMinTokens,
        UseMemoryMap = o.UseMemoryMap,
        FlashAttention = o.FlashAttention,
        UseMemoryLock = o.UseMemoryLock,
        PromptFormat = o.PromptFormat,
        ChatTemplate = o.ChatTemplate,
        GrammarOptions = o.GrammarOptions,
    };

    private GgufFileInfo? ReadHeaderQuietly()
    {
        try
        {
            return GgufReader.Read(Path.GetFullPath(options.ModelPath));
        }
        catch (ModelLoadException)
        {
            return null;
        }
    }

    private async Task<Runtime> EnsureLoadedAsync(IProgress<double>? progress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (runtime is { } ready)
        {
            progress?.Report(1d);
            return ready;
        }

        await loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (runtime is { } loadedMeanwhile)
            {
                progress?.Report(1d);
                return loadedMeanwhile;
            }

            var started = time.GetTimestamp();
            var reporter = new MonotonicProgress(progress);
            LoadedModel? model = null;
            try
            {
                model = await ModelLoader.LoadAsync(options, deployment, logger, nativeLogger, reporter, cancellationToken).ConfigureAwait(false);
                InferenceScheduler? scheduler = null;
                var telemetry = new LlamaSharpTelemetry(
                    meterFactory,
                    deployment,
                    () => scheduler?.QueueLength ?? 0,
                    () => scheduler?.ActiveCount ?? 0,
                    () => scheduler?.PrefixCache?.SizeBytes ?? 0);
                var loadedModel = model;
                try
                {
                    scheduler = await Task.Run(() => new InferenceScheduler(loadedModel, options, logger, time, telemetry, Faults), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    telemetry.Dispose();
                    throw;
                }

                scheduler.Start();
                var loaded = new Runtime(model, scheduler, telemetry);
                try
                {
                    // Before the engine is published: a progress handler that throws here fails the load, and the
                    // catch below disposes the weights, which must then be in no one's hands.
                    reporter.ReportOverall(1d);
                }
                catch
                {
                    await scheduler.DisposeAsync().ConfigureAwait(false);
                    telemetry.Dispose();
                    throw;
                }

                var elapsed = time.GetElapsedTime(started);
                try
                {
                    Log.LoadedModel(
                        logger,
                        model.ModelId,
                        model.Info.Architecture,
                        model.Info.ParameterCount,
                        model.ModelVersion,
                        elapsed,
                        scheduler.ContextSize,
                        options.MaxSequences,
                        model.Prompts.Template.Name);
                }
#pragma warning disable CA1031 // A host logger that throws must not fail a load that succeeded (the catch below would free the weights the running scheduler uses).
                catch (Exception)
#pragma warning restore CA1031
                {
                }

                runtime = loaded;
                return loaded;
            }
            catch (Exception ex)
            {
                model?.Dispose();
                if (ex is OperationCanceledException)
                {
                    throw;
                }

                Log.LoadFailed(logger, options.ModelPath, ex.Message, ex);
                if (ex is InferenceException)
                {
                    throw;
                }

                throw new ModelLoadException($"The model file '{options.ModelPath}' could not be loaded: {ex.Message}", options.ModelPath, ex);
            }
        }
        finally
        {
            loadGate.Release();
        }
    }

    private async IAsyncEnumerable<InferenceUpdate> StreamAsync(InferenceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (job, immediate) = await SubmitAsync(request, streaming: true, cancellationToken).ConfigureAwait(false);
        if (immediate is not null)
        {
            yield return new InferenceUpdate { Result = immediate };
            yield break;
        }

        try
        {
            // Not the caller's token: cancellation reaches the job as a stop request, and the stream ends with its result.
            await foreach (var update in job!.Updates.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            // A consumer that stops reading early abandons the inference: stop it and free its sequence.
            if (!job!.IsCompleted && job.RequestStop(StopReason.Cancelled))
            {
                runtime?.Scheduler.OnStopRequested(job);
            }
        }
    }

    private async Task<(InferenceJob? Job, InferenceResult? Immediate)> SubmitAsync(InferenceRequest request, bool streaming, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ValidateRequest(request);

        Runtime loaded;
        try
        {
            loaded = runtime ?? await EnsureLoadedAsync(null, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, Immediate(StopReason.Cancelled));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return (null, Immediate(StopReason.Cancelled, loaded));
        }

        if (request.Deadline is { } deadline && deadline <= time.GetUtcNow())
        {
            return (null, Immediate(StopReason.Deadline, loaded));
        }

        OutputConstraint? constraint = null;
        if (request.ResponseFormat.Kind == ResponseFormatKind.JsonSchema)
        {
            // default(JsonElement) (Undefined) is no schema either; reading its text would throw InvalidOperationException.
            if (request.ResponseFormat.Schema is not { ValueKind: not JsonValueKind.Undefined } schema)
            {
                throw new InferenceException(InferenceFailureKind.UnsupportedRequest, "ResponseFormat is JsonSchema but has no Schema.");
            }

            constraint = grammars.Get(schema, request.ResponseFormat.SchemaName);
        }

        var model = loaded.Model;
        var (tokens, systemPrefix) = PreparePrompt(loaded, request);
        var context = loaded.Scheduler.ContextSize;
        if (tokens.Length + 1 > context)
        {
            throw new InferenceException(
                InferenceFailureKind.ContextOverflow,
                string.Create(CultureInfo.InvariantCulture, $"The prompt is {tokens.Length} tokens; the context of model '{model.ModelId}' holds {context} (ContextSize), including at least one generated token."));
        }

        IReadOnlyList<string> stops = request.StopSequences;
        if (model.Prompts.Template.IsFallback && constraint is null)
        {
            stops = [.. stops, .. FallbackPromptTemplate.ImplicitStopSequences];
        }

        var job = new InferenceJob(
            loaded.Scheduler.NextJobId(),
            request,
            tokens,
            systemPrefix,
            request.MaxOutputTokens ?? options.MaxOutputTokens,
            stops,
            constraint,
            time.GetTimestamp(),
            streaming);
        try
        {
            job.Activity = StartActivity(request, model);
        }
#pragma warning disable CA1031 // A host activity listener that throws costs the request its span, never the request.
        catch (Exception)
#pragma warning restore CA1031
        {
            job.Activity = null;
        }

        try
        {
            loaded.Scheduler.Submit(job, cancellationToken);
        }
        catch (Exception ex)
        {
            // Refused (InferenceException) or disposed meanwhile (ObjectDisposedException): the span ends with the refusal.
            job.Activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            job.Activity?.Dispose();
            throw;
        }

        return (job, null);
    }

    /// <summary>Renders and tokenizes a request's prompt (loading the model if needed); for tests and benchmarks.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The prompt tokens and the length of the leading system section in tokens.</returns>
    internal (LLama.Native.LLamaToken[] Tokens, int SystemPrefixLength) PreparePrompt(InferenceRequest request) =>
        PreparePrompt(runtime ?? EnsureLoadedAsync(null, CancellationToken.None).GetAwaiter().GetResult(), request);

    /// <summary>Tokenizes text with special-token parsing on, as template text is; for tests.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tokens.</returns>
    internal LLama.Native.LLamaToken[] TokenizeSpecial(string text) =>
        (runtime ?? EnsureLoadedAsync(null, CancellationToken.None).GetAwaiter().GetResult()).Model.Weights.Tokenize(text, false, true, Encoding.UTF8);

    private static (LLama.Native.LLamaToken[] Tokens, int SystemPrefixLength) PreparePrompt(Runtime loaded, InferenceRequest request)
    {
        var model = loaded.Model;
        var prompt = model.Prompts.Build(request);

        // Template markup must become control tokens; message text cannot forge them (PromptBuilder guards it).
        // The fallback format has no markup, so nothing is parsed as special there.
        var special = !model.Prompts.Template.IsFallback;
        var addBos = model.Weights.Vocab.ShouldAddBOS;
        var tokens = model.Weights.Tokenize(prompt.Text, addBos, special, Encoding.UTF8);
        var systemPrefix = 0;
        if (prompt.SystemSectionText is { Length: > 0 } systemText && prompt.Text.StartsWith(systemText, StringComparison.Ordinal))
        {
            var systemTokens = model.Weights.Tokenize(systemText, addBos, special, Encoding.UTF8);
            systemPrefix = tokens.AsSpan().CommonPrefixLength(systemTokens);
        }

        return (tokens, systemPrefix);
    }

    private static void ValidateRequest(InferenceRequest request)
    {
        if (request.Messages is null || request.Messages.Count == 0)
        {
            throw new InferenceException(InferenceFailureKind.UnsupportedRequest, "InferenceRequest.Messages is empty; at least one message is required.");
        }

        if (request.Messages.Any(m => m is null))
        {
            throw new InferenceException(InferenceFailureKind.UnsupportedRequest, "InferenceRequest.Messages contains a null message.");
        }

        if (request.MaxOutputTokens is < 1)
        {
            throw new InferenceException(
                InferenceFailureKind.UnsupportedRequest,
                string.Create(CultureInfo.InvariantCulture, $"InferenceRequest.MaxOutputTokens must be at least 1 (or null for the engine default); it is {request.MaxOutputTokens}."));
        }

        if (SamplerFactory.Validate(request.Sampling ?? SamplingOptions.Default) is { } problem)
        {
            throw new InferenceException(InferenceFailureKind.UnsupportedRequest, "InferenceRequest." + problem);
        }
    }

    private Activity? StartActivity(InferenceRequest request, LoadedModel model)
    {
        ActivityContext parent = default;
        if (Activity.Current is null && request.Trace is { } trace)
        {
            ActivityContext.TryParse(trace.ToTraceParent(), trace.TraceState, out parent);
        }

        var activity = LlamaSharpTelemetry.ActivitySource.StartActivity("llama.infer", ActivityKind.Internal, parent);
        if (activity is not null)
        {
            activity.SetTag("gen_ai.provider.name", EngineVersion.EngineName);
            activity.SetTag("gen_ai.request.model", model.ModelId);
            activity.SetTag("aruntime.model.version", model.ModelVersion);
            activity.SetTag("aruntime.deployment", deployment);
            activity.SetTag("aruntime.request_id", request.RequestId);

            // No tenant: the runtime shows it only as a hash or not at all (TelemetryOptions.Tenant) on the request's span,
            // which this span joins by its trace.
        }

        return activity;
    }

    private InferenceResult Immediate(StopReason reason, Runtime? loaded = null) => new()
    {
        Text = string.Empty,
        StopReason = reason,
        ModelId = loaded?.Model.ModelId ?? Metadata.ModelId,
        ModelVersion = loaded?.Model.ModelVersion ?? options.ModelVersion,
        EngineVersion = $"{EngineVersion.EngineName} ({EngineVersion.Full})",
    };

    /// <summary>The loaded model and its scheduler.</summary>
    private sealed record Runtime(LoadedModel Model, InferenceScheduler Scheduler, LlamaSharpTelemetry Telemetry);

    /// <summary>The <see cref="ITokenCounter"/> the engine offers through <see cref="GetService"/>.</summary>
    private sealed class TokenCounter(LlamaSharpEngine engine) : ITokenCounter
    {
        public int CountTokens(string text) => engine.CountTokens(text);
    }
}
