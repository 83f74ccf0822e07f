namespace ARuntime.Sdk.Telemetry;

/// <summary>
/// The names the runtime's spans, attributes and instruments use: the OpenTelemetry semantic conventions for generative AI
/// (<c>gen_ai.*</c>, <c>error.type</c>) where they define one, and the SDK's own <c>aruntime.*</c> names for the rest.
/// docs/observability.md lists every one of them; keep the two in step.
/// </summary>
internal static class SemanticConventions
{
    // Operation names (gen_ai.operation.name well-known values).
    public const string InvokeAgent = "invoke_agent";
    public const string Chat = "chat";
    public const string ExecuteTool = "execute_tool";

    /// <summary>The conventions' value for "none of the known values" (as for <c>error.type</c>).</summary>
    public const string OtherValue = "_OTHER";

    // gen_ai.* attributes.
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestTopK = "gen_ai.request.top_k";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string RequestStopSequences = "gen_ai.request.stop_sequences";
    public const string RequestStream = "gen_ai.request.stream";
    public const string OutputType = "gen_ai.output.type";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string ResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string UsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string AgentId = "gen_ai.agent.id";
    public const string AgentName = "gen_ai.agent.name";
    public const string AgentVersion = "gen_ai.agent.version";
    public const string ToolName = "gen_ai.tool.name";
    public const string ToolCallId = "gen_ai.tool.call.id";
    public const string ToolType = "gen_ai.tool.type";
    public const string ToolDescription = "gen_ai.tool.description";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";

    // Opt-in content attributes (only with content capture on).
    public const string SystemInstructions = "gen_ai.system_instructions";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string ToolDefinitions = "gen_ai.tool.definitions";
    public const string ToolCallArguments = "gen_ai.tool.call.arguments";
    public const string ToolCallResult = "gen_ai.tool.call.result";

    // Evaluation result event (gen_ai.evaluation.result) and its attributes.
    public const string EvaluationResultEvent = "gen_ai.evaluation.result";
    public const string EvaluationName = "gen_ai.evaluation.name";
    public const string EvaluationScoreValue = "gen_ai.evaluation.score.value";
    public const string EvaluationScoreLabel = "gen_ai.evaluation.score.label";
    public const string EvaluationExplanation = "gen_ai.evaluation.explanation";

    // gen_ai.* instruments.
    public const string ClientTokenUsage = "gen_ai.client.token.usage";
    public const string ClientOperationDuration = "gen_ai.client.operation.duration";
    public const string ClientTimeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk";
    public const string ServerTimeToFirstToken = "gen_ai.server.time_to_first_token";
    public const string ServerTimePerOutputToken = "gen_ai.server.time_per_output_token";
    public const string InvokeAgentDuration = "gen_ai.invoke_agent.duration";
    public const string ExecuteToolDuration = "gen_ai.execute_tool.duration";

    // aruntime.* attributes.
    public const string RequestId = "aruntime.request.id";
    public const string TenantHash = "aruntime.tenant.hash";
    public const string Status = "aruntime.status";
    public const string Resumed = "aruntime.resumed";
    public const string RiskLevelKey = "aruntime.risk.level";
    public const string Deployment = "aruntime.deployment";
    public const string UsageCost = "aruntime.usage.cost";
    public const string UsageModelTurns = "aruntime.usage.model_turns";
    public const string UsageToolCalls = "aruntime.usage.tool_calls";
    public const string EvidenceDegraded = "aruntime.evidence.degraded";
    public const string Stage = "aruntime.stage";
    public const string StageOutcomeKey = "aruntime.stage.outcome";
    public const string StageDecision = "aruntime.stage.decision";
    public const string StageReasonCodes = "aruntime.stage.reason_codes";
    public const string Turn = "aruntime.turn";
    public const string InferenceAttempt = "aruntime.inference.attempt";
    public const string InferenceStatus = "aruntime.inference.status";
    public const string InferenceQueueWaitAttribute = "aruntime.inference.queue_wait";
    public const string InferenceTimeToFirstToken = "aruntime.inference.time_to_first_token";
    public const string ToolOutcome = "aruntime.tool.outcome";
    public const string ToolSideEffect = "aruntime.tool.side_effect";
    public const string ToolAttempts = "aruntime.tool.attempts";
    public const string PolicyDecisionEvent = "aruntime.policy.decision";
    public const string PolicyActionKey = "aruntime.policy.action";
    public const string PolicyOutcomeKey = "aruntime.policy.outcome";
    public const string PolicyVersion = "aruntime.policy.version";
    public const string PolicyRuleKey = "aruntime.policy.rule";
    public const string PolicyReasonCodes = "aruntime.policy.reason_codes";
    public const string EvaluationEvaluator = "aruntime.evaluation.evaluator";
    public const string EvidenceDurabilityKey = "aruntime.evidence.durability";
    public const string EvidenceKind = "aruntime.evidence.kind";
    public const string EvidenceOperation = "aruntime.evidence.operation";

    // aruntime.* instruments.
    public const string StageDuration = "aruntime.stage.duration";
    public const string InferenceQueueWait = "aruntime.inference.queue_wait";
    public const string PolicyDecisions = "aruntime.policy.decisions";
    public const string EvidenceWriteDuration = "aruntime.evidence.write.duration";
    public const string EvidenceFlushDuration = "aruntime.evidence.flush.duration";
    public const string EvidenceWriteFailures = "aruntime.evidence.write.failures";
    public const string EvaluationScoreInstrument = "aruntime.evaluation.score";
    public const string EvaluationResultsInstrument = "aruntime.evaluation.results";

    /// <summary>The bucket advice of <c>gen_ai.client.token.usage</c>.</summary>
    public static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>The bucket advice of <c>gen_ai.client.operation.duration</c> and the other GenAI durations (seconds).</summary>
    public static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    /// <summary>The bucket advice of <c>gen_ai.invoke_agent.duration</c> (seconds).</summary>
    public static readonly double[] AgentDurationBuckets = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6];

    /// <summary>The bucket advice of <c>gen_ai.server.time_to_first_token</c> (seconds).</summary>
    public static readonly double[] TimeToFirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

    /// <summary>The bucket advice of <c>gen_ai.server.time_per_output_token</c> (seconds).</summary>
    public static readonly double[] TimePerOutputTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];

    /// <summary>Buckets for evidence writes, which are expected in the sub-millisecond to second range (seconds).</summary>
    public static readonly double[] EvidenceBuckets = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Buckets for 0-to-1 evaluation scores.</summary>
    public static readonly double[] ScoreBuckets = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
}
