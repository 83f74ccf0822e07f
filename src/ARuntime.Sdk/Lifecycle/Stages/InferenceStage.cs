using System.Diagnostics;
using System.Globalization;
using System.Text;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Protocol;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 6, inference: the engine admits, schedules, executes and streams model output. The stage holds every call to its
/// deployment's timeout (and the route's latency limit), caps its output by the remaining token and cost budgets, and falls
/// back along the route plan — only within it, only within the retry and cost budgets — on timeout, refusal, overload or
/// engine error. Every attempt is recorded with its route, model version, attempt number and status. (The pipeline's budget
/// guard has already checked the turn, token and wall-time budgets before the stage runs.)
/// </summary>
internal sealed class InferenceStage : IRequestStage
{
    private readonly IModelCatalog catalog;
    private readonly IPolicyEngine policy;
    private readonly BudgetGuard budgets;
    private readonly InferenceLoopOptions options;
    private readonly RoutingOptions routing;
    private readonly string? defaultInstructions;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public InferenceStage(IModelCatalog catalog, IPolicyEngine policy, BudgetGuard budgets, IOptions<ARuntimeOptions> options, TimeProvider timeProvider, RuntimeLogging logging)
    {
        this.catalog = catalog;
        this.policy = policy;
        this.budgets = budgets;
        this.options = options.Value.Inference;
        routing = options.Value.Routing;
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

        if (context.TurnCount == 1)
        {
            context.UsesEnvelope = ResponseEnvelope.IsRequired(context.OfferedTools, context.Request.Output);
            context.ResponseFormat = ResponseFormatFor(context.OfferedTools, context.Request.Output);
        }

        var messages = BuildMessages(context);
        var maxTokens = options.MaxOutputTokensPerTurn;
        if (context.Budget.RemainingGeneratedTokens is { } remaining)
        {
            maxTokens = Math.Min(maxTokens, Math.Max(1, remaining));
        }

        var route = context.Request.Route;
        var costLimited = context.Budget.RemainingCost is not null || route?.MaxCostPerCall is not null;
        string? flattened = null;
        var plan = context.RoutePlan!;
        var attempt = 0;
        var skippedForCost = new List<string>();
        var skippedForSensitivity = new List<string>();
        var skippedByPolicy = new List<string>();
        List<string>? rechecks = null;
        string? lastFailure = null;
        var refused = false;
        var classificationChanged = !context.Classification.Equals(context.RoutePlannedFor);
        for (var index = context.RouteIndex; index < plan.Candidates.Count; index++)
        {
            var candidate = plan.Candidates[index];
            var deployment = candidate.Deployment;
            if (!catalog.TryGetEngine(deployment.Name, out var engine))
            {
                lastFailure = "route.engine_missing";
                continue;
            }

            // The plan was checked against what the request held when it was made; a tool result or other data added since
            // may be more sensitive than this deployment is cleared for, and must not reach it.
            if (context.Classification.Sensitivity > deployment.MaxDataSensitivity)
            {
                skippedForSensitivity.Add(deployment.Name);
                lastFailure = "route.data_too_sensitive";
                continue;
            }

            // Labels added since policy permitted this deployment (a tool result marked "health", say) may be data policy
            // keeps off it: ask again, failing closed, before that data is sent.
            if (classificationChanged
                && !(context.RouteRecheckedFor is { } rechecked && rechecked.TryGetValue(deployment.Name, out var permittedFor) && permittedFor.Equals(context.Classification)))
            {
                var decision = await policy.DecideAsync(context.PolicyContextFor(PolicyAction.ModelRoute, timeProvider.GetUtcNow(), deployment: deployment), cancellationToken).ConfigureAwait(false);
                context.Telemetry.PolicyDecided(PolicyAction.ModelRoute, decision);
                (rechecks ??= []).Add($"{deployment.Name}={decision.Outcome}@{decision.PolicyVersion}");
                if (!decision.Permits)
                {
                    skippedByPolicy.Add(ModelRouteSelectionStage.PolicyDenialCode(decision) + ":" + deployment.Name);
                    lastFailure = "route.policy_denied";
                    continue;
                }

                (context.RouteRecheckedFor ??= new(StringComparer.Ordinal))[deployment.Name] = context.Classification;
            }

            // Fallback only within budget: a deployment whose price does not fit the remaining cost is skipped.
            var callMaxTokens = maxTokens;
            if (costLimited)
            {
                flattened ??= PayloadHasher.Flatten(messages);
                var promptTokens = EstimateTokens(engine, flattened);
                var affordable = context.Budget.AffordableGeneratedTokens(deployment.Pricing, promptTokens, route?.MaxCostPerCall);
                if (affordable is { } tokens)
                {
                    if (tokens < 1)
                    {
                        skippedForCost.Add(deployment.Name);
                        continue;
                    }

                    callMaxTokens = (int)Math.Min(callMaxTokens, tokens);
                }
            }

            for (var onDeployment = 1; onDeployment <= Math.Max(1, routing.MaxAttemptsPerDeployment); onDeployment++)
            {
                if (attempt > 0)
                {
                    if (!context.Budget.CanRetry)
                    {
                        lastFailure = "budget.retries_exhausted";
                        return Fail(context, refused, lastFailure, attempt);
                    }

                    context.Budget.Retries++;
                }

                attempt++;
                ModelRouteSelectionStage.SelectDeployment(context, catalog, index);
                var (status, result) = await AttemptAsync(context, candidate, engine, messages, callMaxTokens, attempt, cancellationToken).ConfigureAwait(false);
                if (status == "completed")
                {
                    turn.Inference = result;
                    Qualify(context, candidate);
                    return new StageResult(candidate.IsFallback || candidate.CapabilityDowngrade ? StageOutcome.Degraded : StageOutcome.Completed, "deployment=" + deployment.Name)
                        .With("attempts", attempt)
                        .With("tokens.prompt", result!.Usage.PromptTokens)
                        .With("tokens.cached", result.Usage.CachedPromptTokens)
                        .With("tokens.generated", result.Usage.GeneratedTokens)
                        .With("stop_reason", result.StopReason.ToString())
                        .WithReasons(skippedForCost.Select(name => "route.cost_exceeds_budget:" + name))
                        .WithReasons(skippedForSensitivity.Select(name => "route.data_too_sensitive:" + name))
                        .WithReasons(skippedByPolicy)
                        .WithRechecks(rechecks)
                        .WithPayload(flattened is null ? context.Hasher.DigestConversation("prompt", messages, context.Classification, context.Redactor) : context.Hasher.Digest("prompt", flattened, context.Classification, context.Redactor))
                        .WithPayload(context.Hasher.Digest("completion", result.Text, context.Classification, context.Redactor));
                }

                // The request's own deadline (not the deployment's timeout) ends the request, not just this attempt.
                if (context.EffectiveDeadline is { } deadline && timeProvider.GetUtcNow() >= deadline)
                {
                    return await budgets.DeadlineAsync(context, Stage).ConfigureAwait(false);
                }

                refused |= status == "refused";
                lastFailure = status;
                Log.InferenceAttemptFailed(logger, context.RequestId, deployment.Name, attempt, status);
                if (status is not ("overloaded" or "engine_error"))
                {
                    break;
                }
            }
        }

        if (attempt == 0 && skippedForCost.Count > 0)
        {
            // Nothing could run within the cost budget: that is budget exhaustion (pause for extension, or stop partial).
            var stopped = await budgets.StopAsync(context, BudgetDimension.Cost, Stage, cancellationToken).ConfigureAwait(false);
            return stopped.WithReasons(skippedForCost.Select(name => "route.cost_exceeds_budget:" + name));
        }

        if (attempt == 0 && skippedForSensitivity.Count + skippedByPolicy.Count > 0 && lastFailure is "route.data_too_sensitive" or "route.policy_denied")
        {
            // Fail closed: no deployment left in the plan may receive what the request now holds.
            var labels = context.Classification.Labels.Count > 0 ? " labelled " + string.Join(", ", context.Classification.Labels) : string.Empty;
            context.Terminate(
                AgentRunStatus.Failed,
                new AgentError
                {
                    Code = AgentErrorCodes.NoEligibleRoute,
                    Message = skippedByPolicy.Count == 0
                        ? $"No deployment left in the route is cleared for {context.Classification.Sensitivity} data, which the request now holds."
                        : $"Policy permits no deployment left in the route for the {context.Classification.Sensitivity} data{labels} the request now holds.",
                    Field = "route",
                    Stage = Stage,
                },
                FailureKind.ModelTimeoutOrRefusal,
                Stage,
                skippedByPolicy.Count == 0 ? "route.data_too_sensitive" : "route.policy_denied");
            return new StageResult(StageOutcome.Failed, "no_eligible_route")
                .WithReasons(skippedForSensitivity.Select(name => "route.data_too_sensitive:" + name))
                .WithReasons(skippedByPolicy)
                .WithRechecks(rechecks);
        }

        return Fail(context, refused, lastFailure ?? "route.none_eligible", attempt)
            .WithReasons(skippedForCost.Select(name => "route.cost_exceeds_budget:" + name))
            .WithReasons(skippedForSensitivity.Select(name => "route.data_too_sensitive:" + name))
            .WithReasons(skippedByPolicy)
            .WithRechecks(rechecks);
    }

    private StageResult Fail(RequestContext context, bool refused, string lastFailure, int attempts)
    {
        var code = refused ? AgentErrorCodes.ModelRefused : AgentErrorCodes.InferenceFailed;
        var message = refused
            ? $"The model declined the task on every eligible deployment (last: {lastFailure})."
            : $"No eligible deployment produced an answer (last: {lastFailure}).";
        context.Terminate(
            AgentRunStatus.Failed,
            new AgentError { Code = code, Message = message, Field = "route", Stage = Stage },
            FailureKind.ModelTimeoutOrRefusal,
            Stage,
            "inference." + lastFailure);
        return new StageResult(StageOutcome.Failed, "no_answer").WithReason("inference." + lastFailure).With("attempts", attempts);
    }

    private async ValueTask<(string Status, InferenceResult? Result)> AttemptAsync(
        RequestContext context, RouteCandidate candidate, IInferenceEngine engine, List<AgentMessage> messages, int maxTokens, int attempt, CancellationToken cancellationToken)
    {
        var deployment = candidate.Deployment;
        var timeout = deployment.Timeout;
        if (context.Request.Route?.MaxLatency is { } maxLatency && maxLatency > TimeSpan.Zero && maxLatency < timeout)
        {
            timeout = maxLatency;
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
            Deadline = Earliest(context.EffectiveDeadline, SafeTime.Add(timeProvider.GetUtcNow(), timeout)),
            Trace = new TraceContext { TraceId = context.TraceId, SpanId = Activity.Current?.SpanId.ToHexString() ?? Ids.NewSpanId() },
        };

        var started = timeProvider.GetTimestamp();
        var startedAt = timeProvider.GetUtcNow();
        using var activity = context.Telemetry.StartChat(deployment, engine.Metadata, request, attempt);

        InferenceResult? result = null;
        string status;
        using var timeoutSource = SafeTime.CancelAfter(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            result = await InvokeAsync(engine, request, context, linked.Token).ConfigureAwait(false);
            status = result.StopReason switch
            {
                StopReason.Refusal => "refused",
                StopReason.Error => "engine_error",
                StopReason.Deadline or StopReason.Cancelled => "timeout",
                _ => "completed",
            };
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            status = "timeout";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            status = context.CallerToken.IsCancellationRequested ? "cancelled" : "deadline";
        }
        catch (InferenceException ex)
        {
            status = ex.Kind switch
            {
                InferenceFailureKind.Overloaded => "overloaded",
                InferenceFailureKind.Timeout => "timeout",
                InferenceFailureKind.EngineError => "engine_error",
                _ => "engine_error:" + ex.Kind,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An engine that breaks its contract (any exception but InferenceException, including a cancellation nobody asked
            // for, such as a remote client's own timeout) is an engine error, isolated here: the route falls back.
            status = "engine_error:" + ex.GetType().Name;
        }
        finally
        {
            // Whatever happens next, tokens the engine reports were spent and count against the budget.
            if (result is not null)
            {
                Account(context, deployment, result);
            }
        }

        var duration = timeProvider.GetElapsedTime(started);
        if (cancellationToken.IsCancellationRequested)
        {
            // The caller's cancellation or the request's deadline ends the request, not just this attempt; the attempt is
            // still recorded (under the grace period, since the request's token is cancelled).
            status = context.CallerToken.IsCancellationRequested ? "cancelled" : "deadline";
            context.Telemetry.EndChat(activity, result, status, duration);
            await RecordAttemptAsync(context, candidate, engine.Metadata, attempt, status, result, maxTokens, startedAt, duration, activity, context.GraceToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        context.Telemetry.EndChat(activity, result, status, duration);

        await RecordAttemptAsync(context, candidate, engine.Metadata, attempt, status, result, maxTokens, startedAt, duration, activity, cancellationToken).ConfigureAwait(false);
        return (status, result);
    }

    private static void Qualify(RequestContext context, RouteCandidate candidate)
    {
        if (!candidate.IsFallback && !candidate.CapabilityDowngrade)
        {
            return;
        }

        var name = candidate.Deployment.Name;
        var note = candidate.CapabilityDowngrade
            ? $"Answered by fallback deployment '{name}', which offers fewer capabilities than the preferred one."
            : $"Answered by fallback deployment '{name}'.";
        if (!context.Qualifications.Contains(note))
        {
            context.Qualifications.Add(note);
        }
    }

    private async Task<InferenceResult> InvokeAsync(IInferenceEngine engine, InferenceRequest request, RequestContext context, CancellationToken cancellationToken)
    {
        if (context.Events is null || !options.StreamText)
        {
            return await engine.InferAsync(request, cancellationToken).ConfigureAwait(false)
                ?? throw new InferenceException("The engine returned no result.");
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

    private async ValueTask RecordAttemptAsync(
        RequestContext context, RouteCandidate candidate, InferenceEngineMetadata engine, int attempt, string status, InferenceResult? result, int maxTokens,
        DateTimeOffset startedAt, TimeSpan duration, Activity? activity, CancellationToken cancellationToken)
    {
        var deployment = candidate.Deployment;
        var attributes = new AttributeMap()
        {
            ["deployment"] = deployment.Name,
            ["provider"] = deployment.Provider,
            ["region"] = deployment.Region,
            ["attempt"] = attempt.ToString(CultureInfo.InvariantCulture),
            ["status"] = status,
            ["fallback"] = candidate.IsFallback ? "true" : "false",
            ["capability_downgrade"] = candidate.CapabilityDowngrade ? "true" : "false",
            ["max_tokens"] = maxTokens.ToString(CultureInfo.InvariantCulture),
        };
        if (deployment.Precision is { } precision)
        {
            attributes["precision"] = precision;
        }

        if (result is not null)
        {
            attributes["stop_reason"] = result.StopReason.ToString();
            attributes["tokens.prompt"] = result.Usage.PromptTokens.ToString(CultureInfo.InvariantCulture);
            attributes["tokens.cached"] = result.Usage.CachedPromptTokens.ToString(CultureInfo.InvariantCulture);
            attributes["tokens.generated"] = result.Usage.GeneratedTokens.ToString(CultureInfo.InvariantCulture);
            attributes["ttft.ms"] = result.Usage.TimeToFirstToken.TotalMilliseconds.ToString("F3", CultureInfo.InvariantCulture);
            attributes["cost"] = deployment.Pricing.PriceOf(result.Usage.PromptTokens, result.Usage.GeneratedTokens).ToString(CultureInfo.InvariantCulture);
        }

        var outcome = status switch
        {
            "completed" => StageOutcome.Completed,
            "timeout" or "deadline" => StageOutcome.TimedOut,
            "cancelled" => StageOutcome.Cancelled,
            _ => StageOutcome.Failed,
        };
        var modelId = result?.ModelId ?? engine.ModelId;
        var modelVersion = result?.ModelVersion ?? engine.ModelVersion;
        var versions = context.Versions with { Model = modelVersion is null ? modelId : modelId + "@" + modelVersion, Engine = engine.EngineName + "/" + engine.EngineVersion };
        await context.Evidence.WriteAsync(
            context.NewRecord(Stage, EvidenceKinds.InferenceAttempt, outcome, startedAt, duration, activity?.SpanId.ToHexString(), status, ["route.attempt:" + status], attributes, versions: versions),
            EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);
    }

    private List<AgentMessage> BuildMessages(RequestContext context)
    {
        var task = context.Request.Task;
        // Built once per request: instructions, protocol and assembled context do not change between turns.
        context.SystemMessage ??= AgentMessage.System(PromptBuilder.BuildSystemMessage(
            task.Instructions ?? defaultInstructions,
            context.UsesEnvelope,
            context.OfferedTools.Count > 0,
            context.Request.Output,
            context.ContextItems,
            context.UnavailableContext));
        var messages = new List<AgentMessage>(task.History.Count + context.Transcript.Count + 2) { context.SystemMessage };
        messages.AddRange(task.History);
        messages.Add(new AgentMessage { Role = MessageRole.User, Content = task.Prompt, Classification = task.Classification });
        messages.AddRange(context.Transcript);
        return messages;
    }

    /// <summary>Counts a prompt with the deployment's own tokenizer when it has one; otherwise a conservative estimate.</summary>
    private static long EstimateTokens(IInferenceEngine engine, string text) =>
        engine.GetService(typeof(ITokenCounter)) is ITokenCounter counter ? counter.CountTokens(text) : (Encoding.UTF8.GetByteCount(text) + 2) / 3;

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value < b ? value : b;

    /// <summary>
    /// The reply envelope for a set of offered tools and an output contract, cached: requests of one runtime offer the same
    /// few tool sets, and tool names identify descriptors within a runtime.
    /// </summary>
    private InferenceResponseFormat ResponseFormatFor(IReadOnlyList<ToolDescriptor> tools, OutputContract? output)
    {
        if (!ResponseEnvelope.IsRequired(tools, output))
        {
            return InferenceResponseFormat.Text;
        }

        var key = new StringBuilder();
        foreach (var tool in tools)
        {
            key.Append(tool.Name).Append('@').Append(tool.Version).Append('\n');
        }

        if (output is not null)
        {
            key.Append('\u0001').Append(output.Schema.GetRawText());
        }

        var text = key.ToString();
        if (formats.TryGetValue(text, out var cached))
        {
            return cached;
        }

        var built = ResponseEnvelope.Build(tools, output);
        if (formats.Count >= MaxCachedFormats)
        {
            formats.Clear();
        }

        formats[text] = built;
        return built;
    }

    private const int MaxCachedFormats = 256;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InferenceResponseFormat> formats = new(StringComparer.Ordinal);
}
