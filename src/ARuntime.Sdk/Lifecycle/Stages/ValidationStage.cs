using System.Buffers;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Tools;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 10, validation: check tool results against their output schemas and the host's domain validators (an unexpected
/// result is a failure, not an answer), check the answer against the output contract, and detect unexpected state: a
/// side-effecting step that failed ends the request so recovery can compensate. Then tell the model what happened to each
/// call (results, denials with reasons, errors), with any resolved secret redacted.
/// </summary>
internal sealed class ValidationStage : IRequestStage
{
    private readonly JsonSchemaValidator validator;
    private readonly IEnumerable<IToolResultValidator> resultValidators;
    private readonly IEnumerable<IAnswerValidator> answerValidators;
    private readonly InferenceLoopOptions options;
    private readonly TimeProvider timeProvider;

    public ValidationStage(JsonSchemaValidator validator, IEnumerable<IToolResultValidator> resultValidators, IEnumerable<IAnswerValidator> answerValidators, IOptions<ARuntimeOptions> options, TimeProvider timeProvider)
    {
        this.validator = validator;
        this.resultValidators = resultValidators;
        this.answerValidators = answerValidators;
        this.options = options.Value.Inference;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.Validation;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var turn = context.Turn!;
        if (turn.Calls.Count == 0 && turn.ProposedAnswer is null)
        {
            return StageResult.NotApplicable("nothing_to_validate");
        }

        var invalidResults = 0;
        foreach (var call in turn.Calls)
        {
            if (call.Outcome is ToolCallOutcome.Succeeded or ToolCallOutcome.Deduplicated && call.Result is { } result)
            {
                var errors = await ValidateResultAsync(call, result, cancellationToken).ConfigureAwait(false);
                if (errors.Count > 0)
                {
                    invalidResults++;
                    call.Outcome = ToolCallOutcome.Failed;
                    call.ReasonCodes.Add("tool.result_invalid");
                    call.Explanation = "The tool's result failed validation: " + string.Join("; ", errors.Take(3));
                    call.Result = ToolResult.Failure("The tool returned a result that failed validation.") with { ChangedResources = result.ChangedResources };
                }
            }
        }

        // Unexpected state: a side-effecting step failed, timed out or took partial effect. Stop; recovery compensates.
        var brokenSideEffect = turn.Calls.FirstOrDefault(c =>
            c.Descriptor is { SideEffect: > SideEffectClass.Read } && c.Outcome is ToolCallOutcome.Failed or ToolCallOutcome.TimedOut);
        if (brokenSideEffect is not null)
        {
            var timedOut = brokenSideEffect.Outcome is ToolCallOutcome.TimedOut;
            var partial = context.SideEffects.HasExecutedEffects;
            var code = partial ? AgentErrorCodes.PartialSideEffect : timedOut ? AgentErrorCodes.ToolTimeout : AgentErrorCodes.ToolFailed;
            context.Terminate(
                partial ? AgentRunStatus.Partial : AgentRunStatus.Failed,
                new AgentError { Code = code, Message = $"Tool '{brokenSideEffect.Call.ToolName}' {(timedOut ? "timed out" : "failed")} ({string.Join(", ", brokenSideEffect.ReasonCodes)}).", Stage = Stage },
                partial ? FailureKind.PartialSideEffect : timedOut ? FailureKind.ToolTimeout : FailureKind.PartialSideEffect,
                Stage,
                brokenSideEffect.ReasonCodes.ToArray());
        }

        foreach (var call in turn.Calls)
        {
            if (call.Outcome is not null && !call.Reported)
            {
                call.Reported = true;

                // The label follows the data: what the tool says of this result raises what its descriptor declares, and
                // the request carries it from here on (the next turn's deployment must be cleared for it, evidence and
                // memory are labelled with it).
                var classification = (call.Descriptor?.OutputClassification ?? DataClassification.Unlabelled).Combine(call.Result?.Classification);
                context.Classification = context.Classification.Combine(classification);
                context.Transcript.Add(new AgentMessage
                {
                    Role = MessageRole.Tool,
                    ToolCallId = call.Call.CallId,
                    ToolName = call.Call.ToolName,
                    Content = context.Redactor.Redact(ToolMessage(call)),
                    Classification = classification,
                });
            }

            context.Summarize(call);
            if (call.Outcome is ToolCallOutcome.Denied)
            {
                var note = $"Tool call '{call.Call.ToolName}' was denied: {call.Explanation}";
                if (!context.Qualifications.Contains(note))
                {
                    context.Qualifications.Add(note);
                }
            }
        }

        if (turn.ProposedAnswer is { } answer && context.Status is null)
        {
            var errors = await ValidateAnswerAsync(context, answer, turn.ProposedStructuredAnswer, cancellationToken).ConfigureAwait(false);
            if (errors.Count == 0)
            {
                context.Answer = answer;
                context.StructuredAnswer = context.Request.Output is null ? null : turn.ProposedStructuredAnswer;
                context.AnswerAccepted = true;
                return new StageResult(StageOutcome.Completed, "answer.valid");
            }

            turn.OutputErrors.AddRange(errors);
            await RepairLoop.RequestRepairAsync(context, Stage, options.MaxRepairAttempts, errors, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return new StageResult(StageOutcome.Failed, "answer.invalid").WithReason("output.contract_violation");
        }

        return new StageResult(invalidResults > 0 || brokenSideEffect is not null ? StageOutcome.Failed : StageOutcome.Completed, invalidResults > 0 ? "results.invalid=" + invalidResults : "results.valid");
    }

    private async ValueTask<List<string>> ValidateResultAsync(PlannedCall call, ToolResult result, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var descriptor = call.Descriptor!;
        if (descriptor.OutputSchema is not null && result.Status == ToolResultStatus.Succeeded)
        {
            var output = result.Output ?? default;
            if (output.ValueKind == JsonValueKind.Undefined)
            {
                errors.Add("the tool returned no output but declares an output schema");
            }
            else
            {
                errors.AddRange(validator.ValidateOutput(descriptor, output).Errors);
            }
        }

        foreach (var domain in resultValidators)
        {
            errors.AddRange(await domain.ValidateAsync(descriptor, call.Call with { Arguments = call.EffectiveArguments }, result, cancellationToken).ConfigureAwait(false));
        }

        return errors;
    }

    private async ValueTask<List<string>> ValidateAnswerAsync(RequestContext context, string answer, JsonElement? structured, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (context.Request.Output is { } contract)
        {
            if (structured is not { } value)
            {
                errors.Add("the answer must be JSON satisfying the output schema");
            }
            else
            {
                errors.AddRange(validator.Validate(contract.Schema, value).Errors);
            }
        }

        foreach (var domain in answerValidators)
        {
            errors.AddRange(await domain.ValidateAsync(context.Request, answer, structured, cancellationToken).ConfigureAwait(false));
        }

        return errors;
    }

    /// <summary>What the model is told about a call: the result, or why there is none.</summary>
    private static string ToolMessage(PlannedCall call)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            switch (call.Outcome)
            {
                case ToolCallOutcome.Succeeded or ToolCallOutcome.Deduplicated:
                    writer.WriteString("status", "ok");
                    writer.WritePropertyName("result");
                    if (call.Result?.Output is { ValueKind: not JsonValueKind.Undefined } output)
                    {
                        output.WriteTo(writer);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }

                    break;
                case ToolCallOutcome.Denied:
                    writer.WriteString("status", "denied");
                    writer.WriteString("reason", call.Explanation ?? "Denied by policy.");
                    WriteCodes(writer, call.ReasonCodes);
                    break;
                case ToolCallOutcome.Invalid:
                    writer.WriteString("status", "invalid");
                    writer.WriteStartArray("errors");
                    foreach (var error in call.ValidationErrors.Take(5))
                    {
                        writer.WriteStringValue(error);
                    }

                    writer.WriteEndArray();
                    break;
                case ToolCallOutcome.TimedOut:
                    writer.WriteString("status", "timeout");
                    break;
                case ToolCallOutcome.NotAttempted:
                    writer.WriteString("status", "not_attempted");
                    WriteCodes(writer, call.ReasonCodes);
                    break;
                default:
                    writer.WriteString("status", "failed");
                    writer.WriteString("error", call.Result?.Error ?? call.Explanation ?? "The tool failed.");
                    break;
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteCodes(Utf8JsonWriter writer, List<string> codes)
    {
        writer.WriteStartArray("codes");
        foreach (var code in codes)
        {
            writer.WriteStringValue(code);
        }

        writer.WriteEndArray();
    }
}
