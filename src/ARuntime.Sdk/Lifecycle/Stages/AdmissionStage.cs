using ARuntime.Sdk.Admission;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 1, request admission: validate protocol, identity, tenant, quota, deadline, idempotency key and contract version.
/// A rejected request runs nothing else; its rejection is recorded durably with the typed error.
/// </summary>
internal sealed class AdmissionStage : IRequestStage
{
    private readonly AdmissionOptions options;
    private readonly IdempotencyOptions idempotencyOptions;
    private readonly IToolRegistry tools;
    private readonly IEnumerable<IAdmissionCheck> checks;
    private readonly IIdempotencyStore idempotency;
    private readonly IRequestJournal journal;
    private readonly RequestLimiter limiter;
    private readonly TimeProvider timeProvider;

    public AdmissionStage(IOptions<ARuntimeOptions> options, IToolRegistry tools, IEnumerable<IAdmissionCheck> checks, IIdempotencyStore idempotency, IRequestJournal journal, RequestLimiter limiter, TimeProvider timeProvider)
    {
        this.journal = journal;
        this.limiter = limiter;
        this.options = options.Value.Admission;
        idempotencyOptions = options.Value.Idempotency;
        this.tools = tools;
        this.checks = checks;
        this.idempotency = idempotency;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.Admission;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var error = RequestValidator.Validate(request, timeProvider.GetUtcNow(), options, tools);
        if (error is null)
        {
            foreach (var check in checks)
            {
                error = await check.CheckAsync(request, cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    error = error with { Stage = LifecycleStage.Admission };
                    break;
                }
            }
        }

        if (error is not null)
        {
            context.Terminate(AgentRunStatus.Rejected, error);
            return new StageResult(StageOutcome.Rejected, "rejected").WithReason(error.Code).With("field", error.Field ?? string.Empty);
        }

        // Quota: a bounded queue; beyond it the request is refused at once rather than queued without limit.
        context.Slot = await limiter.TryEnterAsync(cancellationToken).ConfigureAwait(false);
        if (context.Slot is null)
        {
            context.Terminate(
                AgentRunStatus.Overloaded,
                new AgentError { Code = AgentErrorCodes.Overloaded, Message = "The host is at its concurrency and queue limits; retry later or route elsewhere.", Stage = Stage });
            return new StageResult(StageOutcome.Rejected, "overloaded").WithReason(AgentErrorCodes.Overloaded).With("queued", limiter.Queued);
        }

        if (request.IdempotencyKey is { } key)
        {
            var digest = RequestValidator.Digest(request);
            var expiresAt = SafeTime.Add(timeProvider.GetUtcNow(), idempotencyOptions.Retention);
            var claim = await idempotency.TryClaimAsync(context.TenantId, key, digest, context.RequestId, expiresAt, cancellationToken).ConfigureAwait(false);
            var interrupted = claim.OriginalRequestId;
            var takenOver = await InterruptedKeyTakeover.TryAsync(idempotency, journal, claim, context.TenantId, key, digest, context.RequestId, expiresAt, cancellationToken).ConfigureAwait(false);
            claim = takenOver ?? claim;
            switch (claim.Status)
            {
                case IdempotencyClaimStatus.Claimed when takenOver is not null:
                    // The holder was interrupted by a crash: run again under the key; the operation ledger reconciles its calls.
                    context.HoldsIdempotencyKey = true;
                    return new StageResult(StageOutcome.Completed, "admitted").WithReason("idempotency.taken_over").With("interrupted.requestId", interrupted);
                case IdempotencyClaimStatus.Claimed:
                    context.HoldsIdempotencyKey = true;
                    break;
                case IdempotencyClaimStatus.Completed:
                    context.PriorResult = claim.Result;
                    context.Terminate(claim.Result?.Status ?? AgentRunStatus.Completed, claim.Result?.Error, FailureKind.DuplicateExecution, Stage, "idempotency.replayed");
                    return new StageResult(StageOutcome.Completed, "duplicate:replay").WithReason("idempotency.replayed").With("original.requestId", claim.OriginalRequestId);
                case IdempotencyClaimStatus.InProgress:
                    context.Terminate(
                        AgentRunStatus.Conflict,
                        new AgentError { Code = AgentErrorCodes.IdempotencyInProgress, Field = "idempotencyKey", Message = "A request with this idempotency key is still running.", Stage = Stage },
                        FailureKind.DuplicateExecution,
                        Stage,
                        "idempotency.in_progress");
                    return new StageResult(StageOutcome.Rejected, "duplicate:in_progress").WithReason(AgentErrorCodes.IdempotencyInProgress).With("original.requestId", claim.OriginalRequestId);
                default:
                    context.Terminate(
                        AgentRunStatus.Conflict,
                        new AgentError { Code = AgentErrorCodes.IdempotencyConflict, Field = "idempotencyKey", Message = "This idempotency key was used with a different request.", Stage = Stage },
                        FailureKind.DuplicateExecution,
                        Stage,
                        "idempotency.conflict");
                    return new StageResult(StageOutcome.Rejected, "duplicate:conflict").WithReason(AgentErrorCodes.IdempotencyConflict).With("original.requestId", claim.OriginalRequestId);
            }
        }

        return new StageResult(StageOutcome.Completed, "admitted");
    }
}
