using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Protocol;
using ARuntime.Sdk.Tools;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 7, tool planning: model output is only a proposal. The reply is parsed into typed calls (or an answer) and each
/// call's arguments are validated against the tool's input schema before anything can run; an unusable reply goes back to
/// the model for a bounded number of repairs, each recorded.
/// </summary>
internal sealed class ToolPlanningStage : IRequestStage
{
    private readonly IToolRegistry tools;
    private readonly JsonSchemaValidator validator;
    private readonly InferenceLoopOptions options;
    private readonly TimeProvider timeProvider;

    public ToolPlanningStage(IToolRegistry tools, JsonSchemaValidator validator, IOptions<ARuntimeOptions> options, TimeProvider timeProvider)
    {
        this.tools = tools;
        this.validator = validator;
        this.options = options.Value.Inference;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.ToolPlanning;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var turn = context.Turn!;
        if (turn.ResumedAfterApproval)
        {
            return StageResult.NotApplicable("resumed.calls_already_planned");
        }

        var inference = turn.Inference!;
        // Call ids identify a call in the result, the saga log and an approval: each must be new to the request.
        var taken = new HashSet<string>(context.ToolCalls.Select(c => c.CallId), StringComparer.Ordinal);
        taken.UnionWith(turn.Calls.Select(c => c.Call.CallId));
        var reply = ReplyParser.Parse(inference, context.UsesEnvelope, context.TurnCount, taken);
        context.Transcript.Add(AgentMessage.Assistant(context.Redactor.Redact(inference.Text.Length > 0 ? inference.Text : DescribeNativeCalls(inference))));

        foreach (var (call, error) in reply.MalformedCalls)
        {
            var planned = new PlannedCall { Call = call, ValidationErrors = [error] };
            planned.Outcome = ToolCallOutcome.Invalid;
            planned.ReasonCodes.Add("tool.arguments_malformed");
            turn.Calls.Add(planned);
        }

        foreach (var call in reply.Calls)
        {
            var planned = new PlannedCall { Call = call, EffectiveArguments = call.Arguments };
            if (tools.TryGetTool(call.ToolName, out var tool))
            {
                planned.Descriptor = tool.Descriptor;
                planned.Tool = tool;
                var validation = validator.ValidateInput(tool.Descriptor, call.Arguments);
                if (!validation.IsValid)
                {
                    planned.ValidationErrors = validation.Errors;
                    planned.Outcome = ToolCallOutcome.Invalid;
                    planned.ReasonCodes.Add("tool.arguments_invalid");
                }
            }

            // Unknown or unoffered tools are not invalid here: authorization denies them with a reason the model is told.
            turn.Calls.Add(planned);
        }

        foreach (var planned in turn.Calls)
        {
            if (context.Events is not null)
            {
                context.Emit(new ToolCallProposedEvent
                {
                    RequestId = context.RequestId,
                    Timestamp = timeProvider.GetUtcNow(),
                    CallId = planned.Call.CallId,
                    ToolName = planned.Call.ToolName,
                    Valid = planned.ValidationErrors.Count == 0,
                });
            }
        }

        if (reply.IsAnswer)
        {
            turn.ProposedAnswer = reply.Answer;
            turn.ProposedStructuredAnswer = reply.StructuredAnswer;
            return new StageResult(StageOutcome.NotApplicable, "answer").WithReason("model.answered");
        }

        var invalidCalls = turn.Calls.Count(c => c.Outcome is ToolCallOutcome.Invalid);
        turn.OutputErrors.AddRange(reply.Errors);
        foreach (var planned in turn.Calls)
        {
            foreach (var error in planned.ValidationErrors)
            {
                turn.OutputErrors.Add($"{planned.Call.ToolName}: {error}");
            }
        }

        if (turn.Calls.Count == 0 || invalidCalls == turn.Calls.Count)
        {
            // Nothing usable: ask for a repair, within bounds. Invalid calls never run.
            await RepairLoop.RequestRepairAsync(context, Stage, options.MaxRepairAttempts, turn.OutputErrors, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var failed = new StageResult(StageOutcome.Failed, "invalid_output").WithReason(invalidCalls > 0 ? "tool.arguments_invalid" : "model.output_unusable");
            foreach (var planned in turn.Calls)
            {
                failed.WithPayload(context.Hasher.Digest("tool.arguments", planned.Call.Arguments.ValueKind == System.Text.Json.JsonValueKind.Undefined ? string.Empty : planned.Call.Arguments.GetRawText(), context.Classification, context.Redactor));
            }

            return failed.With("errors", turn.OutputErrors.Count);
        }

        var result = new StageResult(StageOutcome.Completed, "calls=" + string.Join(',', turn.Calls.Select(c => c.Call.ToolName)))
            .With("calls", turn.Calls.Count)
            .With("invalid", invalidCalls);
        foreach (var planned in turn.Calls)
        {
            if (planned.Call.Arguments.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                result.WithPayload(planned.ArgumentsDigest(context, "tool.arguments:" + planned.Call.CallId));
            }
        }

        return result;
    }

    private static string DescribeNativeCalls(InferenceResult inference) =>
        string.Join('\n', inference.ToolCalls.Select(c => $"{{\"tool\":\"{c.ToolName}\",\"arguments\":{c.ArgumentsJson}}}"));
}
