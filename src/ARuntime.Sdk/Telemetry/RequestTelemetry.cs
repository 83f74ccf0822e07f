using System.Diagnostics;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evaluation;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;
using static ARuntime.Sdk.Telemetry.SemanticConventions;

namespace ARuntime.Sdk.Telemetry;

/// <summary>
/// The telemetry of one run of one request: the <c>invoke_agent</c> span and the stage, <c>chat</c> and <c>execute_tool</c>
/// spans under it, their attributes, the measurements, and the span ids evidence records carry. Stages call it through
/// <c>context.Telemetry</c> with one line each. Spans take their times from the runtime's <see cref="TimeProvider"/>, like the
/// evidence records, so a stage record's timestamp and duration are its span's. A request runs its stages one at a time, so
/// the instance is not thread-safe.
/// </summary>
internal sealed class RequestTelemetry
{
    private const string LocalRegion = "local";

    private readonly RuntimeTelemetry? runtime;
    private readonly RequestContext? context;
    private readonly long startTimestamp;
    private ChatState? chat;

    private RequestTelemetry(RuntimeTelemetry? runtime, RequestContext? context, Activity? activity, long startTimestamp)
    {
        this.runtime = runtime;
        this.context = context;
        Activity = activity;
        this.startTimestamp = startTimestamp;
    }

    /// <summary>Gets an instance that records nothing (a context the pipeline has not started yet).</summary>
    public static RequestTelemetry Disabled { get; } = new(null, null, null, 0);

    /// <summary>Gets the request's <c>invoke_agent</c> span, when one is recorded.</summary>
    public Activity? Activity { get; }

    internal static RequestTelemetry Start(RuntimeTelemetry runtime, RequestContext context, bool resumed)
    {
        var options = runtime.Options;
        var startedAt = runtime.Time.GetUtcNow();
        var started = runtime.Time.GetTimestamp();
        var ambient = Activity.Current;
        var parent = ExplicitParent(context, resumed);
        ActivityLink[]? links = null;
        if (parent != default && ambient is not null && ambient.TraceId != parent.TraceId)
        {
            // A resume (or a call carrying its own trace context) runs inside someone else's operation: link it.
            links = [new ActivityLink(ambient.Context)];
        }

        KeyValuePair<string, object?>[] tags = [new(OperationName, InvokeAgent), new(AgentName, options.AgentName)];
        var activity = RuntimeTelemetry.Source.HasListeners()
            ? RuntimeTelemetry.Source.StartActivity(InvokeAgent + " " + options.AgentName, ActivityKind.Internal, parent, tags, links, startedAt)
            : null;
        if (parent == default)
        {
            // No trace context of the request's own: it joins the ambient trace or starts one, and its records carry that id.
            var traceId = activity?.TraceId ?? ambient?.TraceId;
            if (traceId is { } id && id != default)
            {
                context.TraceId = id.ToHexString();
                var parentSpan = activity is not null ? activity.ParentSpanId : ambient!.SpanId;
                context.ParentSpanId = parentSpan == default ? null : parentSpan.ToHexString();
            }
        }

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(AgentId, runtime.AgentId);
            activity.SetTag(AgentVersion, options.AgentVersion);
            activity.SetTag(ConversationId, context.Request.Identity?.SessionId);
            activity.SetTag(RequestId, context.RequestId);
            activity.SetTag(TenantHash, runtime.TenantAttribute(context.TenantId));
            if (context.Request.Output is not null)
            {
                activity.SetTag(OutputType, "json");
            }

            if (resumed)
            {
                activity.SetTag(Resumed, true);
            }

            if (runtime.CapturesContent && context.Request.Task is { } task)
            {
                var instructions = task.Instructions ?? options.DefaultInstructions;
                if (!string.IsNullOrEmpty(instructions))
                {
                    activity.SetTag(SystemInstructions, ContentSerializer.SystemInstructions(instructions, context.Redactor, runtime.MaxContentLength));
                }

                activity.SetTag(InputMessages, ContentSerializer.InputMessages(
                    [.. task.History, new AgentMessage { Role = MessageRole.User, Content = task.Prompt ?? string.Empty }], context.Redactor, runtime.MaxContentLength));
            }
        }

        context.RequestActivity = activity;
        return new RequestTelemetry(runtime, context, activity, started);
    }

    /// <summary>Ends the request's run: outcome, usage and error on the span; the agent duration measurement.</summary>
    public void End(AgentResult result)
    {
        if (runtime is null || context is null)
        {
            return;
        }

        var duration = runtime.Time.GetElapsedTime(startTimestamp);
        var status = TelemetryValues.Snake(result.Status);
        string? error = result.Status is AgentRunStatus.Completed or AgentRunStatus.PendingApproval or AgentRunStatus.Partial ? null : result.Error?.Code ?? OtherValue;
        var tags = new TagList { { AgentName, runtime.Options.AgentName }, { Status, status } };
        if (error is not null)
        {
            tags.Add(ErrorType, error);
        }

        runtime.InvokeAgentDuration.Record(duration.TotalSeconds, tags);
        if (Activity is null)
        {
            return;
        }

        if (Activity.IsAllDataRequested)
        {
            Activity.SetTag(Status, status);
            Activity.SetTag(ProviderName, context.ActiveDeployment?.Provider);
            Activity.SetTag(RequestModel, context.ActiveEngine?.ModelId);
            Activity.SetTag(Deployment, context.ActiveDeployment?.Name);
            if (result.Usage.ModelTurns > 0)
            {
                Activity.SetTag(UsageInputTokens, result.Usage.PromptTokens);
                Activity.SetTag(UsageOutputTokens, result.Usage.GeneratedTokens);
                Activity.SetTag(UsageCacheReadInputTokens, result.Usage.CachedPromptTokens);
            }

            Activity.SetTag(UsageModelTurns, result.Usage.ModelTurns);
            Activity.SetTag(UsageToolCalls, result.Usage.ToolCalls);
            Activity.SetTag(UsageCost, (double)result.Usage.Cost);
            Activity.SetTag(RiskLevelKey, TelemetryValues.Snake(context.Risk.Level));
            Activity.SetTag(EvidenceDegraded, result.EvidenceDegraded);
            if (runtime.CapturesContent)
            {
                if (context.OfferedTools.Count > 0)
                {
                    Activity.SetTag(ToolDefinitions, ContentSerializer.ToolDefinitions(context.OfferedTools, context.Redactor, runtime.MaxContentLength));
                }

                if (result.Answer is { } answer)
                {
                    Activity.SetTag(OutputMessages, ContentSerializer.OutputMessages(answer, [], context.Redactor, runtime.MaxContentLength));
                }
            }
        }

        if (error is not null)
        {
            Activity.SetTag(ErrorType, error);
            Activity.SetStatus(ActivityStatusCode.Error, error);
        }

        Finish(Activity, duration);
    }

    /// <summary>Starts a stage's span and fixes the span id the stage's evidence records carry (a generated one without a span).</summary>
    public Activity? StartStage(LifecycleStage stage, DateTimeOffset startedAt)
    {
        if (runtime is null || context is null)
        {
            return null;
        }

        Activity? activity = null;
        if (runtime.Options.Telemetry.StageSpans && RuntimeTelemetry.Source.HasListeners())
        {
            var name = TelemetryValues.Snake(stage);
            activity = RuntimeTelemetry.Source.StartActivity(Stage + " " + name, ActivityKind.Internal, default(ActivityContext), [new(Stage, name)], null, startedAt);
            if (activity is { IsAllDataRequested: true } && stage is >= LifecycleStage.Inference and <= LifecycleStage.HumanApproval)
            {
                activity.SetTag(Turn, context.TurnCount);
            }
        }

        context.StageSpan = (stage, activity?.SpanId.ToHexString() ?? Ids.NewSpanId());
        return activity;
    }

    /// <summary>Ends a stage's span with its outcome and records the stage duration.</summary>
    public void EndStage(Activity? activity, LifecycleStage stage, StageResult result, TimeSpan duration)
    {
        if (runtime is null || context is null)
        {
            return;
        }

        if (chat is not null)
        {
            // The attempt never ended normally (cancelled, or the engine threw through the stage): still measure it.
            EndChat(null, null, context.Error?.Code ?? OtherValue, runtime.Time.GetElapsedTime(chat.Started));
        }

        var name = TelemetryValues.Snake(stage);
        var outcome = TelemetryValues.Snake(result.Outcome);
        runtime.StageDuration.Record(duration.TotalSeconds, new TagList { { Stage, name }, { StageOutcomeKey, outcome } });
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(StageOutcomeKey, outcome);
            activity.SetTag(StageDecision, result.Decision);
            if (result.ReasonCodes is { Count: > 0 } reasons)
            {
                activity.SetTag(StageReasonCodes, reasons.ToArray());
            }
        }

        if (result.Outcome is Contracts.StageOutcome.Failed or Contracts.StageOutcome.TimedOut)
        {
            var error = context.Error is { } requestError && requestError.Stage == stage ? requestError.Code : outcome;
            activity.SetTag(ErrorType, error);
            activity.SetStatus(ActivityStatusCode.Error, error);
        }

        Finish(activity, duration);
    }

    /// <summary>Starts the <c>chat</c> span of one inference attempt.</summary>
    public Activity? StartChat(ModelDeployment deployment, InferenceEngineMetadata engine, InferenceRequest request, int attempt)
    {
        if (runtime is null || context is null)
        {
            return null;
        }

        var streaming = context.Events is not null && runtime.Options.Inference.StreamText;
        chat = new ChatState(deployment, engine, streaming, runtime.Time.GetTimestamp());
        if (!RuntimeTelemetry.Source.HasListeners())
        {
            return null;
        }

        // In-process engines are not remote calls: the conventions allow INTERNAL for them.
        var kind = string.Equals(deployment.Region, LocalRegion, StringComparison.Ordinal) ? ActivityKind.Internal : ActivityKind.Client;
        KeyValuePair<string, object?>[] tags = [new(OperationName, Chat), new(ProviderName, deployment.Provider), new(RequestModel, engine.ModelId)];
        var activity = RuntimeTelemetry.Source.StartActivity(Chat + " " + engine.ModelId, kind, default(ActivityContext), tags, null, runtime.Time.GetUtcNow());
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        activity.SetTag(ConversationId, context.Request.Identity?.SessionId);
        activity.SetTag(Deployment, deployment.Name);
        activity.SetTag(InferenceAttempt, attempt);
        activity.SetTag(RequestMaxTokens, request.MaxOutputTokens);
        activity.SetTag(RequestTemperature, Exact(request.Sampling.Temperature));
        activity.SetTag(RequestTopP, Exact(request.Sampling.TopP));
        activity.SetTag(RequestTopK, (double)request.Sampling.TopK);
        if (request.Sampling.Seed is { } seed)
        {
            activity.SetTag(RequestSeed, (long)seed);
        }

        if (request.StopSequences.Count > 0)
        {
            activity.SetTag(RequestStopSequences, request.StopSequences.ToArray());
        }

        if (request.ResponseFormat.Kind == ResponseFormatKind.JsonSchema)
        {
            activity.SetTag(OutputType, "json");
        }

        if (streaming)
        {
            activity.SetTag(RequestStream, true);
        }

        if (runtime.CapturesContent)
        {
            activity.SetTag(InputMessages, ContentSerializer.InputMessages(request.Messages, context.Redactor, runtime.MaxContentLength));
            if (request.Tools.Count > 0)
            {
                activity.SetTag(ToolDefinitions, ContentSerializer.ToolDefinitions(request.Tools, context.Redactor, runtime.MaxContentLength));
            }
        }

        return activity;
    }

    /// <summary>Notes a streamed chunk of the current inference attempt (the first one fixes the time to first chunk).</summary>
    public void ChatChunk()
    {
        if (runtime is not null && chat is { Streaming: true, FirstChunk: null } current)
        {
            current.FirstChunk = runtime.Time.GetElapsedTime(current.Started);
        }
    }

    /// <summary>Ends the current inference attempt: usage, finish reason and error on the span; the client and engine measurements.</summary>
    public void EndChat(Activity? activity, InferenceResult? result, string status, TimeSpan duration)
    {
        if (runtime is null || context is null || chat is not { } state)
        {
            return;
        }

        chat = null;
        var completed = string.Equals(status, "completed", StringComparison.Ordinal);
        var tags = new TagList
        {
            { OperationName, Chat },
            { ProviderName, state.Deployment.Provider },
            { RequestModel, state.Engine.ModelId },
            { Deployment, state.Deployment.Name },
        };
        if (result is not null)
        {
            tags.Add(ResponseModel, result.ModelId ?? state.Engine.ModelId);
        }

        var durationTags = tags;
        if (!completed)
        {
            durationTags.Add(ErrorType, status);
        }

        runtime.OperationDuration.Record(duration.TotalSeconds, durationTags);
        if (result is not null)
        {
            var input = tags;
            input.Add(TokenType, "input");
            runtime.TokenUsage.Record(result.Usage.PromptTokens, input);
            var output = tags;
            output.Add(TokenType, "output");
            runtime.TokenUsage.Record(result.Usage.GeneratedTokens, output);
            runtime.QueueWait.Record(result.Usage.QueueWait.TotalSeconds, tags);
            if (completed && result.Usage.TimeToFirstToken > TimeSpan.Zero)
            {
                runtime.ServerTimeToFirstToken.Record(result.Usage.TimeToFirstToken.TotalSeconds, tags);
                if (result.Usage.GeneratedTokens > 1 && result.Usage.Duration > result.Usage.TimeToFirstToken)
                {
                    runtime.ServerTimePerOutputToken.Record((result.Usage.Duration - result.Usage.TimeToFirstToken).TotalSeconds / (result.Usage.GeneratedTokens - 1), tags);
                }
            }
        }

        if (state.FirstChunk is { } firstChunk)
        {
            runtime.TimeToFirstChunk.Record(firstChunk.TotalSeconds, tags);
        }

        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(InferenceStatus, status);
            if (state.FirstChunk is { } chunk)
            {
                activity.SetTag(ResponseTimeToFirstChunk, chunk.TotalSeconds);
            }

            if (result is not null)
            {
                activity.SetTag(ResponseModel, result.ModelId ?? state.Engine.ModelId);
                activity.SetTag(UsageInputTokens, result.Usage.PromptTokens);
                activity.SetTag(UsageOutputTokens, result.Usage.GeneratedTokens);
                activity.SetTag(UsageCacheReadInputTokens, result.Usage.CachedPromptTokens);
                activity.SetTag(ResponseFinishReasons, new[] { TelemetryValues.FinishReason(result) });
                activity.SetTag(InferenceQueueWaitAttribute, result.Usage.QueueWait.TotalSeconds);
                activity.SetTag(InferenceTimeToFirstToken, result.Usage.TimeToFirstToken.TotalSeconds);
                if (runtime.CapturesContent)
                {
                    activity.SetTag(OutputMessages, ContentSerializer.OutputMessages(result.Text, result.ToolCalls, context.Redactor, runtime.MaxContentLength));
                }
            }
        }

        if (!completed)
        {
            activity.SetTag(ErrorType, status);
            activity.SetStatus(ActivityStatusCode.Error, status);
        }

        Finish(activity, duration);
    }

    /// <summary>Starts the <c>execute_tool</c> span of one tool call.</summary>
    public Activity? StartTool(PlannedCall call)
    {
        if (runtime is null || context is null)
        {
            return null;
        }

        if (!RuntimeTelemetry.Source.HasListeners())
        {
            return null;
        }

        var name = call.Descriptor?.Name ?? call.Call.ToolName;
        KeyValuePair<string, object?>[] tags = [new(OperationName, ExecuteTool), new(ToolName, name)];
        var activity = RuntimeTelemetry.Source.StartActivity(ExecuteTool + " " + name, ActivityKind.Internal, default(ActivityContext), tags, null, runtime.Time.GetUtcNow());
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        activity.SetTag(ToolCallId, call.Call.CallId);
        activity.SetTag(ToolType, "function");
        if (call.Descriptor is { } descriptor)
        {
            if (!string.IsNullOrEmpty(descriptor.Description))
            {
                activity.SetTag(ToolDescription, descriptor.Description);
            }

            activity.SetTag(ToolSideEffect, TelemetryValues.Snake(descriptor.SideEffect));
        }

        if (call.Decision is { } decision)
        {
            activity.SetTag(PolicyOutcomeKey, TelemetryValues.Snake(decision.Outcome));
        }

        if (runtime.CapturesContent)
        {
            activity.SetTag(ToolCallArguments, ContentSerializer.Json(call.EffectiveArguments, context.Redactor, runtime.MaxContentLength));
        }

        return activity;
    }

    /// <summary>Ends a tool call's span with its outcome and records the tool duration.</summary>
    public void EndTool(Activity? activity, PlannedCall call, TimeSpan duration)
    {
        if (runtime is null || context is null)
        {
            return;
        }

        var name = call.Descriptor?.Name ?? call.Call.ToolName;
        var error = ToolError(call);
        var tags = new TagList { { ToolName, name }, { ToolType, "function" }, { AgentName, runtime.Options.AgentName } };
        if (error is not null)
        {
            tags.Add(ErrorType, error);
        }

        runtime.ExecuteToolDuration.Record(duration.TotalSeconds, tags);
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(ToolOutcome, call.Outcome is { } outcome ? TelemetryValues.Snake(outcome) : null);
            activity.SetTag(ToolAttempts, call.Attempts);
            if (runtime.CapturesContent && error is null && call.Result?.Output is { } output)
            {
                activity.SetTag(ToolCallResult, ContentSerializer.Json(output, context.Redactor, runtime.MaxContentLength));
            }
        }

        if (error is not null)
        {
            activity.SetTag(ErrorType, error);
            activity.SetStatus(ActivityStatusCode.Error, error);
        }

        Finish(activity, duration);
    }

    /// <summary>Counts a policy decision and adds it to the current span as an <c>aruntime.policy.decision</c> event.</summary>
    public void PolicyDecided(PolicyAction action, PolicyDecision decision, PlannedCall? call = null)
    {
        if (runtime is null || decision is null)
        {
            return;
        }

        var actionName = TelemetryValues.Snake(action);
        var outcome = TelemetryValues.Snake(decision.Outcome);
        var tags = new TagList { { PolicyActionKey, actionName }, { PolicyOutcomeKey, outcome } };
        if (call is not null)
        {
            // Only registered tool names: the model can name any tool, and each made-up name would be a new time series.
            tags.Add(ToolName, call.Descriptor?.Name ?? OtherValue);
        }

        runtime.PolicyDecisions.Add(1, tags);
        if (Activity.Current is { IsAllDataRequested: true } current && current.Source == RuntimeTelemetry.Source)
        {
            var eventTags = new ActivityTagsCollection
            {
                { PolicyActionKey, actionName },
                { PolicyOutcomeKey, outcome },
                { PolicyVersion, decision.PolicyVersion },
            };
            if (decision.RuleId is not null)
            {
                eventTags.Add(PolicyRuleKey, decision.RuleId);
            }

            if (decision.ReasonCodes.Count > 0)
            {
                eventTags.Add(PolicyReasonCodes, decision.ReasonCodes.ToArray());
            }

            if (call is not null)
            {
                eventTags.Add(ToolName, call.Call.ToolName);
                eventTags.Add(ToolCallId, call.Call.CallId);
            }

            current.AddEvent(new ActivityEvent(PolicyDecisionEvent, runtime.Time.GetUtcNow(), eventTags));
        }
    }

    /// <summary>Records an evaluation score: the score measurements and a <c>gen_ai.evaluation.result</c> event on the request span.</summary>
    public void Evaluated(EvaluationScore score)
    {
        if (runtime is null || score is null)
        {
            return;
        }

        var label = score.Passed ? "pass" : "fail";
        runtime.EvaluationResults.Add(1, new TagList { { EvaluationName, score.Metric }, { EvaluationEvaluator, score.Evaluator }, { EvaluationScoreLabel, label } });
        runtime.EvaluationScore.Record(score.Value, new TagList { { EvaluationName, score.Metric }, { EvaluationEvaluator, score.Evaluator } });
        if (Activity is { IsAllDataRequested: true })
        {
            var tags = new ActivityTagsCollection
            {
                { EvaluationName, score.Metric },
                { EvaluationScoreValue, score.Value },
                { EvaluationScoreLabel, label },
                { EvaluationEvaluator, score.Evaluator },
            };

            // A reason may quote the answer (a model-graded evaluator's explanation): content, so opt-in only.
            if (runtime.CapturesContent && score.Reason is { } reason && context is not null)
            {
                tags.Add(EvaluationExplanation, ContentSerializer.Truncate(context.Redactor.Redact(reason), runtime.MaxContentLength));
            }

            Activity.AddEvent(new ActivityEvent(EvaluationResultEvent, runtime.Time.GetUtcNow(), tags));
        }
    }

    private static ActivityContext ExplicitParent(RequestContext context, bool resumed)
    {
        if (context.Request.Trace is { } trace && TraceContext.IsValidTraceId(trace.TraceId) && TraceContext.IsValidSpanId(trace.SpanId))
        {
            // The caller's W3C trace context: its sampled flag decides, as for any remote parent.
            return new ActivityContext(
                ActivityTraceId.CreateFromString(trace.TraceId),
                ActivitySpanId.CreateFromString(trace.SpanId),
                trace.Sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None,
                trace.TraceState,
                isRemote: true);
        }

        if (resumed && TraceContext.IsValidTraceId(context.TraceId))
        {
            // A resumed request continues its trace under the span it paused in, so both runs share one trace id.
            var records = context.Evidence.Records;
            for (var i = records.Count - 1; i >= 0; i--)
            {
                if (records[i].SpanId is { } spanId && TraceContext.IsValidSpanId(spanId) && string.Equals(records[i].TraceId, context.TraceId, StringComparison.Ordinal))
                {
                    return new ActivityContext(ActivityTraceId.CreateFromString(context.TraceId), ActivitySpanId.CreateFromString(spanId), ActivityTraceFlags.Recorded, null, isRemote: true);
                }
            }
        }

        return default;
    }

    private static string? ToolError(PlannedCall call)
    {
        switch (call.Outcome)
        {
            case ToolCallOutcome.Succeeded or ToolCallOutcome.Deduplicated or null:
                return null;
            case ToolCallOutcome.TimedOut:
                return "timeout";
        }

        foreach (var reason in call.ReasonCodes)
        {
            // The exception type when the tool threw; the runtime's reason otherwise (all low-cardinality).
            if (reason.StartsWith("tool.exception:", StringComparison.Ordinal))
            {
                return reason["tool.exception:".Length..];
            }
        }

        return call.ReasonCodes.Count > 0 ? call.ReasonCodes[^1] : TelemetryValues.Snake(call.Outcome.Value);
    }

    /// <summary>Widens a float as written (0.7f → 0.7, not 0.699999988...), as a double attribute.</summary>
    private static double Exact(float value) => float.IsFinite(value) && Math.Abs(value) < 1e9f ? (double)(decimal)value : value;

    private static void Finish(Activity activity, TimeSpan duration)
    {
        // The span ends at start + the TimeProvider's duration; a zero duration would make Stop() read the system clock.
        activity.SetEndTime(activity.StartTimeUtc + (duration > TimeSpan.Zero ? duration : TimeSpan.FromTicks(1)));
    }

    private sealed class ChatState(ModelDeployment deployment, InferenceEngineMetadata engine, bool streaming, long started)
    {
        public ModelDeployment Deployment { get; } = deployment;

        public InferenceEngineMetadata Engine { get; } = engine;

        public bool Streaming { get; } = streaming;

        public long Started { get; } = started;

        public TimeSpan? FirstChunk { get; set; }
    }
}
