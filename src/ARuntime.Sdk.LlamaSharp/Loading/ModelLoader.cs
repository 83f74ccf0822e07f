using System.Globalization;
using ARuntime.Sdk.LlamaSharp.Native;
using ARuntime.Sdk.LlamaSharp.Prompting;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>
/// Loads a model for the engine: checks the file with <see cref="GgufReader"/> (typed errors before llama.cpp sees it),
/// loads the weights with progress (memory-mapped, GPU layers and threads set deliberately), explains a llama.cpp
/// refusal from its log (unknown architecture), and resolves the prompt template.
/// </summary>
internal static class ModelLoader
{
    /// <summary>The share of the progress range spent before weight loading starts.</summary>
    public const double MetadataShare = 0.02;

    /// <summary>The share of the progress range reached when the weights are loaded (the rest is context creation).</summary>
    public const double WeightsShare = 0.95;

    /// <summary>Loads the model.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="deployment">The deployment name, for logs.</param>
    /// <param name="logger">The engine logger.</param>
    /// <param name="nativeLogger">The logger of llama.cpp's own log.</param>
    /// <param name="progress">The progress reporter.</param>
    /// <param name="cancellationToken">Stops loading.</param>
    /// <returns>The loaded model.</returns>
    public static async Task<LoadedModel> LoadAsync(
        LlamaSharpEngineOptions options,
        string deployment,
        ILogger logger,
        ILogger nativeLogger,
        MonotonicProgress progress,
        CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(options.ModelPath);
        Log.LoadingModel(logger, path, deployment);
        progress.ReportOverall(0);

        var gguf = await Task.Run(() => GgufReader.Read(path), cancellationToken).ConfigureAwait(false);
        var versionTask = options.ModelVersion is { } fixedVersion
            ? Task.FromResult(fixedVersion)
            : ModelFingerprint.ComputeAsync(path, cancellationToken);

        // The architecture check needs the file's declared name; the version is filled in below.
        var info = LlamaModelInfo.FromGguf(path, gguf, version: string.Empty);
        NativeBackend.EnsureAvailable(nativeLogger);
        progress.ReportOverall(MetadataShare);

        var contextSize = options.ResolveContextSize(info.TrainedContextLength);
        var cores = Math.Max(1, Environment.ProcessorCount);
        var parameters = new ModelParams(path)
        {
            GpuLayerCount = options.GpuLayerCount,
            LoadMode = (options.UseMemoryMap, options.UseMemoryLock) switch
            {
                (true, true) => LLamaLoadMode.MemoryMapAndLock,
                (true, false) => LLamaLoadMode.MemoryMap,
                (false, true) => LLamaLoadMode.MemoryLock,
                _ => LLamaLoadMode.None,
            },
            Threads = options.Threads ?? cores,
            BatchThreads = options.BatchThreads ?? cores,
            ContextSize = (uint)contextSize,
            BatchSize = (uint)options.BatchSize,
            UBatchSize = (uint)options.UBatchSize,
            SeqMax = (uint)options.MaxSequences,
            // Measured on CPU with this llama.cpp build: flash attention slowed prefill and made the short batch after a
            // prefix restore ~10x slower, so CPU-only engines turn it off unless told otherwise.
            FlashAttention = options.FlashAttention ?? (options.GpuLayerCount == 0 ? false : null),

            // One KV cache shared by every sequence: a sequence may use the whole context, and saved prefixes restore
            // into any sequence.
            KVUnified = true,
        };

        progress.Range = (MetadataShare, WeightsShare);
        var marker = NativeLog.Mark();
        LLamaWeights weights;

        // A progress handler that throws stops the load through this token (llama.cpp polls it after each report).
        using var loading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        progress.OnCallbackFailure = loading.Cancel;
        try
        {
            weights = await LLamaWeights.LoadFromFileAsync(parameters, loading.Token, progress).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (progress.CallbackFailure is { } failure && !cancellationToken.IsCancellationRequested)
        {
            failure.Throw();
            throw;
        }
        catch (OperationCanceledException)
        {
            // Report the caller's token, not the linked one.
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        catch (Exception ex) when (ex is LoadWeightsFailedException or RuntimeError)
        {
            throw Explain(path, info.Architecture, NativeLog.LinesSince(marker), ex);
        }
        catch (Exception ex) when (NativeBackend.IsBackendFailure(ex))
        {
            throw new NativeBackendUnavailableException(NativeBackend.MissingBackendMessage, ex);
        }

        try
        {
            // The handler threw on the last report, after llama.cpp had finished.
            progress.CallbackFailure?.Throw();
            var template = ResolveTemplate(options, info, logger);
            var guard = template.IsFallback ? SpecialTokenGuard.None : SpecialTokenGuard.FromVocabulary(weights.Vocab);
            var version = await versionTask.ConfigureAwait(false);
            info = info with { Version = version };
            return new LoadedModel(weights, info, parameters, new PromptBuilder(template, guard), options.ModelName ?? info.Name, version);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>Turns llama.cpp's refusal into the most specific load error its log supports.</summary>
    /// <param name="path">The file.</param>
    /// <param name="architecture">The architecture the file declares.</param>
    /// <param name="nativeLines">The warning and error lines llama.cpp logged during the load.</param>
    /// <param name="cause">The LLamaSharp exception.</param>
    /// <returns>The typed error.</returns>
    internal static ModelLoadException Explain(string path, string architecture, IReadOnlyList<string> nativeLines, Exception cause)
    {
        if (nativeLines.Any(line => line.Contains("unknown model architecture", StringComparison.OrdinalIgnoreCase)
                                    && line.Contains('\'' + architecture + '\'', StringComparison.Ordinal)))
        {
            return new UnsupportedModelArchitectureException(
                $"The model file '{path}' declares architecture '{architecture}', which this llama.cpp build (LLamaSharp {EngineVersion.LlamaSharp}) does not implement. Use a newer LLamaSharp, or a model of a supported architecture.",
                path,
                architecture,
                cause);
        }

        var said = nativeLines.Count == 0 ? string.Empty : " llama.cpp said: " + string.Join(" | ", nativeLines.TakeLast(3));
        return new ModelLoadException(
            string.Create(CultureInfo.InvariantCulture, $"llama.cpp could not load the model file '{path}' (architecture '{architecture}').{said}"),
            path,
            cause);
    }

    private static IPromptTemplate ResolveTemplate(LlamaSharpEngineOptions options, LlamaModelInfo info, ILogger logger)
    {
        if (options.PromptFormat == PromptFormat.Fallback)
        {
            return FallbackPromptTemplate.Instance;
        }

        var source = options.ChatTemplate ?? info.ChatTemplate;
        var origin = options.ChatTemplate is null ? "gguf" : "options";
        if (source is null)
        {
            if (options.PromptFormat == PromptFormat.ModelTemplate)
            {
                throw new ModelLoadException(
                    $"The model '{info.Name}' has no chat template (tokenizer.chat_template) and PromptFormat is ModelTemplate. Set ChatTemplate to a llama.cpp built-in template (for example 'chatml'), or use PromptFormat.Auto or Fallback.",
                    info.Path);
            }

            Log.UsingFallbackPromptFormat(logger, info.Name, "the model has no chat template");
            return FallbackPromptTemplate.Instance;
        }

        try
        {
            return new LlamaCppPromptTemplate(source, origin);
        }
        catch (MissingTemplateException ex)
        {
            if (options.PromptFormat == PromptFormat.ModelTemplate || options.ChatTemplate is not null)
            {
                throw new ModelLoadException(
                    $"llama.cpp does not recognize the chat template of model '{info.Name}' ({origin}); it applies only its built-in templates. Set ChatTemplate to a built-in name (for example 'chatml', 'llama3'), or use PromptFormat.Auto or Fallback.",
                    info.Path,
                    ex);
            }

            Log.UsingFallbackPromptFormat(logger, info.Name, "llama.cpp does not recognize its chat template");
            return FallbackPromptTemplate.Instance;
        }
    }
}
