using ARuntime.Sdk.Contracts;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.Telemetry;

/// <summary>Source-generated log messages of the runtime. Messages never contain prompts, payloads or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Request {RequestId} of tenant {TenantId} admitted")]
    public static partial void RequestAdmitted(ILogger logger, string requestId, string tenantId);

    [LoggerMessage(2, LogLevel.Warning, "Request {RequestId} rejected at admission: {ErrorCode} ({Field})")]
    public static partial void RequestRejected(ILogger logger, string requestId, string errorCode, string? field);

    [LoggerMessage(3, LogLevel.Debug, "Request {RequestId} stage {Stage} ended {Outcome} in {DurationMs} ms")]
    public static partial void StageEnded(ILogger logger, string requestId, LifecycleStage stage, StageOutcome outcome, double durationMs);

    [LoggerMessage(4, LogLevel.Information, "Request {RequestId} finished {Status} after {Turns} model turns and {ToolCalls} tool calls")]
    public static partial void RequestFinished(ILogger logger, string requestId, AgentRunStatus status, int turns, int toolCalls);

    [LoggerMessage(5, LogLevel.Error, "Request {RequestId} stage {Stage} failed with {ExceptionType}")]
    public static partial void StageFaulted(ILogger logger, Exception exception, string requestId, LifecycleStage stage, string exceptionType);

    [LoggerMessage(6, LogLevel.Warning, "Request {RequestId}: evidence write failed; continuing degraded ({ExceptionType})")]
    public static partial void EvidenceDegraded(ILogger logger, string requestId, string exceptionType);

    [LoggerMessage(7, LogLevel.Warning, "Request {RequestId}: inference on deployment {Deployment} attempt {Attempt} failed: {Reason}")]
    public static partial void InferenceAttemptFailed(ILogger logger, string requestId, string deployment, int attempt, string reason);

    [LoggerMessage(8, LogLevel.Information, "Request {RequestId} paused for approval {ApprovalId} of tool {ToolName}")]
    public static partial void RequestPaused(ILogger logger, string requestId, string approvalId, string toolName);

    [LoggerMessage(9, LogLevel.Warning, "Evidence uses volatile in-memory storage: records are lost when the process exits (UseInMemoryEvidence was called)")]
    public static partial void VolatileEvidence(ILogger logger);

    [LoggerMessage(10, LogLevel.Warning, "Request {RequestId}: compensation of {ToolName} operation {OperationKey} failed: {Detail}")]
    public static partial void CompensationFailed(ILogger logger, string requestId, string toolName, string operationKey, string? detail);

    [LoggerMessage(11, LogLevel.Warning, "Request {RequestId} found interrupted on startup (last stage {Stage})")]
    public static partial void RequestInterrupted(ILogger logger, string requestId, LifecycleStage? stage);

    [LoggerMessage(60, LogLevel.Warning, "Request {RequestId} left running by a stopped process could not be recorded as interrupted ({ExceptionType}); the next start retries")]
    public static partial void InterruptedRecoveryFailed(ILogger logger, string requestId, string exceptionType);

    [LoggerMessage(61, LogLevel.Warning, "Recovery of interrupted requests failed ({ExceptionType}); requests run meanwhile and the next start retries")]
    public static partial void RecoveryFailed(ILogger logger, string exceptionType);

    [LoggerMessage(62, LogLevel.Error, "{Operation} failed unexpectedly ({ExceptionType}); the caller gets a Failed result")]
    public static partial void RuntimeFaulted(ILogger logger, Exception exception, string operation, string exceptionType);

    [LoggerMessage(63, LogLevel.Error, "{Operation}: request {RequestId} had finished when a fault escaped ({ExceptionType}); its result stands")]
    public static partial void RuntimeFaultedAfterFinish(ILogger logger, Exception exception, string operation, string requestId, string exceptionType);

    [LoggerMessage(64, LogLevel.Information, "Request {RequestId} ended {Status}: approval {ApprovalId} expired at {ExpiresAt:O} without a decision")]
    public static partial void ApprovalExpiredBySweep(ILogger logger, string requestId, AgentRunStatus status, string approvalId, DateTimeOffset expiresAt);

    [LoggerMessage(65, LogLevel.Warning, "Expired approval {ApprovalId} of request {RequestId} could not be ended ({ExceptionType}); the next sweep retries")]
    public static partial void ApprovalExpiryFailed(ILogger logger, Exception exception, string approvalId, string requestId, string exceptionType);

    [LoggerMessage(66, LogLevel.Warning, "The approval expiry sweep could not list expired approvals ({ExceptionType}); the next sweep retries")]
    public static partial void ApprovalSweepFailed(ILogger logger, Exception exception, string exceptionType);

    [LoggerMessage(67, LogLevel.Warning, "The runtime was disposed while the approval expiry sweep was still ending a request; the request may be left claimed and unended")]
    public static partial void ApprovalSweepAbandoned(ILogger logger);

    [LoggerMessage(68, LogLevel.Warning, "Approval expiry handler {Handler} failed for request {RequestId} ({ExceptionType}); the request stays ended")]
    public static partial void ApprovalExpiredHandlerFailed(ILogger logger, Exception exception, string handler, string requestId, string exceptionType);
}
