using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.LlamaSharp;

/// <summary>Source-generated log messages of ARuntime.Sdk.LlamaSharp.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Message = "llama.cpp: {Line}")]
    public static partial void NativeMessage(ILogger logger, LogLevel level, string line);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Loading model {ModelPath} for deployment {Deployment}")]
    public static partial void LoadingModel(ILogger logger, string modelPath, string deployment);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Loaded model {ModelName} ({Architecture}, {ParameterCount} parameters, version {ModelVersion}) in {Elapsed}; context {ContextSize} tokens, {MaxSequences} sequences, prompt format {PromptFormat}")]
    public static partial void LoadedModel(ILogger logger, string modelName, string architecture, long parameterCount, string modelVersion, TimeSpan elapsed, int contextSize, int maxSequences, string promptFormat);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Loading model {ModelPath} failed: {Reason}")]
    public static partial void LoadFailed(ILogger logger, string modelPath, string reason, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Model {ModelName}: {Reason}; prompts use the ARuntime fallback format (docs/prompting.md)")]
    public static partial void UsingFallbackPromptFormat(ILogger logger, string modelName, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Inference queue full ({QueueLength} waiting); request {RequestId} rejected as overloaded")]
    public static partial void QueueFull(ILogger logger, int queueLength, string? requestId);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "KV cache short by {Cells} cells; preempted sequence of request {RequestId} (it resumes when cells are free)")]
    public static partial void Preempted(ILogger logger, int cells, string? requestId);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "llama_decode returned {Result}; the context is rebuilt and {Requeued} sequences are resumed")]
    public static partial void DecodeFailedRebuilding(ILogger logger, string result, int requeued);

    [LoggerMessage(EventId = 23, Level = LogLevel.Error, Message = "The inference scheduler failed; pending requests fail with EngineError")]
    public static partial void SchedulerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "A telemetry listener threw while the engine recorded a request's metrics, span or log; the request is unaffected")]
    public static partial void TelemetryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 25, Level = LogLevel.Critical, Message = "The inference scheduler for model {ModelId} stopped after a failure it could not recover from; pending and later requests fail with EngineError until the engine is recreated")]
    public static partial void SchedulerStopped(ILogger logger, string modelId, Exception exception);

    [LoggerMessage(EventId = 30, Level = LogLevel.Error, Message = "Request {RequestId}: the grammar completed but the output does not validate against its schema ({Error}); reported as StopReason.Error")]
    public static partial void GrammarOutputInvalid(ILogger logger, string? requestId, string error);

    [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "Request {RequestId}: output stopped by {StopReason} before the schema was complete; it will not validate")]
    public static partial void SchemaOutputIncomplete(ILogger logger, string? requestId, ARuntime.Sdk.Inference.StopReason stopReason);
}
