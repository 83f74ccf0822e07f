using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Responses;
using ARuntime.Sdk.Validation;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 12, response finalization: produce the user result — answer, citations, status and known uncertainty. The host's
/// <see cref="IResponseFinalizer"/>s review the answer first (a failing one withholds it: fail closed); then the answer is
/// redacted of any credential resolved during the request before it leaves the runtime.
/// </summary>
internal sealed class ResponseFinalizationStage(IEnumerable<IResponseFinalizer> finalizers, JsonSchemaValidator validator) : IRequestStage
{
    private readonly IResponseFinalizer[] finalizers = [.. finalizers];

    public LifecycleStage Stage => LifecycleStage.ResponseFinalization;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var revisedBy = new List<string>();
        var reasons = new List<string>();
        if (finalizers.Length > 0 && context.Answer is not null && context.FinalStatus is not AgentRunStatus.PendingApproval)
        {
            try
            {
                await FinalizeAsync(context, revisedBy, reasons, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Whatever stopped the review (the grace period ran out), the unreviewed answer does not leave.
                context.Answer = null;
                context.StructuredAnswer = null;
                throw;
            }
        }

        var status = context.FinalStatus;
        if (context.Answer is { } answer && context.Redactor.Contains(answer))
        {
            context.Answer = context.Redactor.Redact(answer);
            context.Qualifications.Add("A credential value in the answer was redacted.");
        }

        if (status is not AgentRunStatus.Completed && context.Answer is null && context.Turn?.ProposedAnswer is null && status is AgentRunStatus.Partial)
        {
            context.Uncertainty.Add("The task was not finished; see the tool calls for what was done.");
        }

        var result = new StageResult(status switch
        {
            AgentRunStatus.Completed => StageOutcome.Completed,
            AgentRunStatus.PendingApproval => StageOutcome.Paused,
            AgentRunStatus.Cancelled => StageOutcome.Cancelled,
            AgentRunStatus.TimedOut or AgentRunStatus.Expired => StageOutcome.TimedOut,
            AgentRunStatus.Partial => StageOutcome.Degraded,
            _ => StageOutcome.Failed,
        }, "status=" + status)
            .With("qualifications", context.Qualifications.Count)
            .With("citations", context.Citations.Count)
            .With("uncertainty", context.Uncertainty.Count)
            .WithReasons(reasons);
        if (finalizers.Length > 0)
        {
            result.With("finalizers", finalizers.Length);
        }

        if (revisedBy.Count > 0)
        {
            result.With("revised_by", string.Join(",", revisedBy));
        }

        if (context.Answer is not null)
        {
            result.WithPayload(context.Hasher.Digest("answer", context.Answer, context.Classification, context.Redactor));
        }

        if (context.Error is { } error)
        {
            result.WithReason(error.Code);
        }

        return result;
    }

    private async ValueTask FinalizeAsync(RequestContext context, List<string> revisedBy, List<string> reasons, CancellationToken cancellationToken)
    {
        foreach (var finalizer in finalizers)
        {
            var name = HostComponentName.Of(finalizer, static f => f.Name);
            ResponseRevision? revision;
            try
            {
                revision = await finalizer.FinalizeAsync(
                    new ResponseDraft
                    {
                        RequestId = context.RequestId,
                        Request = context.Request,
                        Status = context.FinalStatus,
                        Answer = context.Answer!,
                        StructuredAnswer = context.StructuredAnswer,
                        Classification = context.Classification,
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Withhold(context, name, $"failed ({ex.GetType().Name})", "response.finalizer_failed:" + name, reasons);
                return;
            }

            if (revision is null)
            {
                continue;
            }

            if (revision.Answer is { } text && !string.Equals(text, context.Answer, StringComparison.Ordinal))
            {
                if (context.Request.Output is { } contract)
                {
                    // A structured answer stays one the contract accepts: the revision is its new JSON.
                    if (!TryParse(text, out var structured) || !validator.Validate(contract.Schema, structured).IsValid)
                    {
                        Withhold(context, name, "revised the answer into one the output contract refuses", "response.revision_invalid:" + name, reasons);
                        return;
                    }

                    context.StructuredAnswer = structured;
                    context.Answer = structured.ValueKind == JsonValueKind.String ? structured.GetString() : structured.GetRawText();
                }
                else
                {
                    context.Answer = text;
                }

                revisedBy.Add(name);
                reasons.Add("response.revised:" + name);
            }

            foreach (var qualification in revision.Qualifications)
            {
                if (!string.IsNullOrWhiteSpace(qualification))
                {
                    context.Qualifications.Add(qualification);
                }
            }

            if (!string.IsNullOrWhiteSpace(revision.ReasonCode))
            {
                reasons.Add(revision.ReasonCode);
            }
        }
    }

    /// <summary>Fails the request closed: a finalizer may be what keeps data out of the answer, so without it there is none.</summary>
    private void Withhold(RequestContext context, string name, string why, string reason, List<string> reasons)
    {
        context.Answer = null;
        context.StructuredAnswer = null;
        var error = new AgentError
        {
            Code = AgentErrorCodes.ResponseFinalizationFailed,
            Message = $"The response finalizer '{name}' {why}; the answer is withheld.",
            Stage = Stage,
        };
        if (context.Status is null)
        {
            context.Terminate(AgentRunStatus.Failed, error, FailureKind.InternalFault, Stage, reason);
        }
        else
        {
            context.OverrideStatus(AgentRunStatus.Failed, error);
        }

        reasons.Add(reason);
    }

    private static bool TryParse(string text, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }
}
