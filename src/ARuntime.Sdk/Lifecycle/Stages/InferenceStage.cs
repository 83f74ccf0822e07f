using System.Diagnostics;
using System.Globalization;
using System.Text;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Protocol;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 6, inference: the engine admits, schedules, executes and streams model output. The stage enforces the token,
/// turn and cost budgets, each deployment's timeout, and falls back along the route plan — only within it — on timeout,
/// refusal, overload or engine error. Every attempt is recorded with its route, model version, attempt number and status.
/// </summary>
internal sealed class InferenceStage : IRequestStage
{
    private readonly IModelCatalog catalog;
    private readonly InferenceLoopOptions options;
    private readonly string? defaultInstructions;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public InferenceStage(IModelCatalog catalog, IOptions<ARuntimeOptions> options, TimeProvider timeProvider, RuntimeLogging logging)
    {
        this.catalog = catalog;
        this.options = options.Value.Inference;
        defaultInstructions = options.Value.DefaultInstructions;
        this.timeProvider = timeProvider;
        logger = logging.CreateLogger<InferenceStage>();
    }

    public LifecycleStage Stage => LifecycleStage.Inference;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var turn = context.Turn!;
        if (turn.ResumedAfterApproval)
        {
            return StageResult.NotApplicable("resumed.approved_calls_pending");
        }

        var blocked = context.Budget.BlocksInference(WallTime(context));
        if (blocked is { } dimension)
        {
            await BudgetExhaustedAsync(context, dimension, cancellationToken).ConfigureAwait(false);
            return new StageResult(StageOutcome.Failed, "budget_exhausted").WithReason("budget.exhausted:" + dimension);
        }

        if (context.TurnCount == 1)
        {
            context.UsesEnvelope = ResponseEnvelope.IsRequired(context.OfferedTools, context.Request.Output);
            context.ResponseFormat = ResponseEnvelope.Build(context.OfferedTools, context.Request.Output);
        }

        var messages = BuildMessages(context);
        var maxTokens = options.MaxOutputTokensPerTurn;
        if (context.Budget.RemainingGeneratedTokens is { } remaining)
        {
            maxTokens = Math.Min(maxTokens, Math.Max(1, remaining));
        }

        var plan = context.RoutePlan!;
        var attempt = 0;
        string? lastFailure = null;
        var refused = false;
        for (var index = context.RouteIndex; index < plan.Candidates.Count; index++)
        {
            if (index != context.RouteIndex || attempt > 0)
            {
                if (!context.Budget.CanRetry)
                {
                    lastFailure = "budget.retries_exhausted";
                    break;
                }

                context.Budget.Retries++;
            }

            attempt++;
            ModelRouteSelectionStage.SelectDeployment(context, catalog, index);
            var candidate = plan.Candidates[index];
            var deployment = candidate.Deployment;
            if (!catalog.TryGetEngine(deployment.Name, out var engine))
            {
                lastFailure = "route.engine_missing";
                continue;
            }

            context.Versions = context.Versions with { PromptTemplate = engine.Metadata.PromptTemplate is { } template ? PromptBuilder.TemplateVersion + "+" + template : PromptBuilder.TemplateVersion };
            var request = new InferenceRequest
            {
                RequestId = context.RequestId,
                TenantId = context.TenantId,
                Messages = messages,
                Tools = context.OfferedTools,
                ResponseFormat = context.ResponseFormat,
                Sampling = options.Sampling,
                MaxOutputTokens = maxTokens,
                Deadline = Earliest(context.EffectiveDeadline, timeProvider.GetUtcNow() + deployment.Timeout),
                Trace = new TraceContext { TraceId = context.TraceId, SpanId = Activity.Current?.SpanId.ToHexString() ?? Ids.NewSpanId() },
            };

            var started = timeProvider.GetTimestamp();
            var startedAt = timeProvider.GetUtcNow();
            using var activity = context.Telemetry.StartChat(deployment, engine.Metadata, request, attempt);

            InferenceResult? result = null;
            string status;
            using var timeout = new CancellationTokenSource(deployment.Timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                result = await InvokeAsync(engine, request, context, linked.Token).ConfigureAwait(false);
                status = result.StopReason switch
                {
                    StopReason.Refusal => "refused",
                    StopReason.Error => "engine_error",
                    StopReason.Deadline or StopReason.Cancelled when timeout.IsCancellationRequested || !cancellationToken.IsCancellationRequested => "timeout",
                    _ => "completed",
                };
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                status = "timeout";
            }
            catch (InferenceException ex)
            {
                status = ex.Kind switch
                {
                    InferenceFailureKind.Overloaded => "overloaded",
                    InferenceFailureKind.Timeout => "timeout",
                    _ => "engine_error:" + ex.Kind,
                };
            }

            // The request's own deadline or the caller's cancellation ends the request, not just this attempt.
            cancellationToken.ThrowIfCancellationRequested();

            var duration = timeProvider.GetElapsedTime(started);
            if (result is not null)
            {
                Account(context, deployment, result);
            }

            context.Telemetry.EndChat(activity, result, status, duration);

            await RecordAttemptAsync(context, deployment, engine.Metadata, attempt, status, result, startedAt, duration, activity, cancellationToken).ConfigureAwait(false);
            if (status == "completed")
            {
                turn.Inference = result;
                if (candidate.IsFallback)
                {
                    var note = candidate.CapabilityDowngrade
                        ? $"Answered by fallback deployment '{deployment.Name}', which offers fewer capabilities than the preferred one."
                        : $"Answered by fallback deployment '{deployment.Name}'.";
                    if (!context.Qualifications.Contains(note))
                    {
                        context.Qualifications.Add(note);
                    }
                }

                return new StageResult(candidate.IsFallback ? StageOutcome.Degraded : StageOutcome.Completed, "deployment=" + deployment.Name)
                    .With("attempts", attempt)
                    .With("tokens.prompt", result!.Usage.PromptTokens)
                    .With("tokens.cached", result.Usage.CachedPromptTokens)
                    .With("tokens.generated", result.Usage.GeneratedTokens)
                    .With("stop_reason", result.StopReason.ToString())
                    .WithPayload(context.Hasher.Digest("prompt", Flatten(messages), context.Classification, context.Redactor))
                    .WithPayload(context.Hasher.Digest("completion", result.Text, context.Classification, context.Redactor));
            }

            refused |= status == "refused";
            lastFailure = status;
            Log.InferenceAttemptFailed(logger, context.RequestId, deployment.Name, attempt, status);
        }

        var code = refused ? AgentErrorCodes.ModelRefused : AgentErrorCodes.InferenceFailed;
        context.Terminate(
            AgentRunStatus.Failed,
            new AgentError { Code = code, Message = $"No eligible deployment produced an answer (last: {lastFailure}).", Stage = Stage },
            FailureKind.ModelTimeoutOrRefusal,
            Stage,
            "inference." + lastFailure);
        return new StageResult(StageOutcome.Failed, "no_answer").WithReason("inference." + lastFailure).With("attempts", attempt);
    }

    private async Task<InferenceResult> InvokeAsync(IInferenceEngine engine, InferenceRequest request, RequestContext context, CancellationToken cancellationToken)
    {
        if (context.Events is null || !options.StreamText)
        {
            return await engine.InferAsync(request, cancellationToken).ConfigureAwait(false);
        }

        InferenceResult? result = null;
        await foreach (var update in engine.InferStreamingAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (update.Text.Length > 0)
            {
                context.Telemetry.ChatChunk();
                context.Emit(new TextDeltaEvent { RequestId = context.RequestId, Timestamp = timeProvider.GetUtcNow(), Text = context.Redactor.Redact(update.Text), Turn = context.TurnCount });
            }

            result = update.Result ?? result;
        }

        return result ?? throw new InferenceException("The engine's stream ended without a result.");
    }

    private static void Account(RequestContext context, ModelDeployment deployment, InferenceResult result)
    {
        var budget = context.Budget;
        budget.ModelTurns++;
        budget.PromptTokens += result.Usage.PromptTokens;
        budget.CachedPromptTokens += result.Usage.CachedPromptTokens;
        budget.GeneratedTokens += result.Usage.GeneratedTokens;
        budget.Cost += deployment.Pricing.PriceOf(result.Usage.PromptTokens, result.Usage.GeneratedTokens);
    }

    private async ValueTask RecordAttemptAsync(RequestContext context, ModelDeployment deployment, InferenceEngineMetadata engine, int attempt, string status, InferenceResult? result, DateTimeOffset startedAt, TimeSpan duration, Activity? activity, CancellationToken cancellationToken)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["deployment"] = deployment.Name,
            ["region"] = deployment.Region,
            ["attempt"] = attempt.ToString(CultureInfo.InvariantCulture),
            ["status"] = status,
        };
        if (result is not null)
        {
            attributes["stop_reason"] = result.StopReason.ToString();
            attributes["tokens.prompt"] = result.Usage.PromptTokens.ToString(CultureInfo.InvariantCulture);
            attributes["tokens.cached"] = result.Usage.CachedPromptTokens.ToString(CultureInfo.InvariantCulture);
            attributes["tokens.generated"] = result.Usage.GeneratedTokens.ToString(CultureInfo.InvariantCulture);
            attributes["ttft.ms"] = result.Usage.TimeToFirstToken.TotalMilliseconds.ToString("F3", CultureInfo.InvariantCulture);
        }

        var outcome = status switch
        {
            "completed" => StageOutcome.Completed,
            "timeout" => StageOutcome.TimedOut,
            _ => StageOutcome.Failed,
        };
        var versions = context.Versions with { Model = engine.ModelVersion is null ? engine.ModelId : engine.ModelId + "@" + engine.ModelVersion, Engine = engine.EngineName + "/" + engine.EngineVersion };
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.InferenceAttempt, outcome, startedAt, duration, activity?.SpanId.ToHexString(), status, [], attributes, versions: versions),
            EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask BudgetExhaustedAsync(RequestContext context, BudgetDimension dimension, CancellationToken cancellationToken)
    {
        var description = context.Budget.Describe(dimension);
        context.Qualifications.Add($"Stopped before finishing: the {dimension} budget is exhausted ({description}).");
        context.Terminate(
            AgentRunStatus.Partial,
            new AgentError { Code = AgentErrorCodes.BudgetExhausted, Message = $"The {dimension} budget is exhausted ({description}).", Field = "budget", Stage = Stage },
            FailureKind.BudgetExhaustion,
            Stage,
            "budget.exhausted:" + dimension);
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.BudgetExhausted, StageOutcome.Failed, timeProvider.GetUtcNow(), TimeSpan.Zero, null, dimension.ToString(), ["budget.exhausted:" + dimension], new Dictionary<string, string> { ["usage"] = description }),
            EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);
    }

    private List<AgentMessage> BuildMessages(RequestContext context)
    {
        var task = context.Request.Task;
        var messages = new List<AgentMessage>(task.History.Count + context.Transcript.Count + 2)
        {
            AgentMessage.System(PromptBuilder.BuildSystemMessage(
                task.Instructions ?? defaultInstructions,
                context.UsesEnvelope,
                context.OfferedTools.Count > 0,
                context.Request.Output,
                context.ContextItems,
                context.UnavailableContext)),
        };
        messages.AddRange(task.History);
        messages.Add(new AgentMessage { Role = MessageRole.User, Content = task.Prompt, Classification = task.Classification });
        messages.AddRange(context.Transcript);
        return messages;
    }

    private TimeSpan WallTime(RequestContext context) => context.Budget.EarlierWallTime + timeProvider.GetElapsedTime(context.RunStartTimestamp);

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value < b ? value : b;

    private static string Flatten(List<AgentMessage> messages)
    {
        var builder = new StringBuilder();
        foreach (var message in messages)
        {
            builder.Append(message.Role).Append(": ").Append(message.Content).Append('\n');
        }

        return builder.ToString();
    }
}
