using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 13, memory decision: choose what may be retained. Only a completed request with a read-write memory policy retains
/// anything; the memory decider proposes items, policy authorizes each, and every retained item is recorded by digest.
/// </summary>
internal sealed class MemoryDecisionStage : IRequestStage
{
    private readonly IMemoryDecider decider;
    private readonly IMemoryStore? store;
    private readonly IPolicyEngine policy;
    private readonly TimeProvider timeProvider;

    public MemoryDecisionStage(IMemoryDecider decider, IPolicyEngine policy, IServiceProvider services, TimeProvider timeProvider)
    {
        this.decider = decider;
        this.policy = policy;
        store = services.GetService<IMemoryStore>();
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.MemoryDecision;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.Memory.Mode != MemoryMode.ReadWrite)
        {
            return StageResult.NotApplicable("memory.policy_no_write");
        }

        var status = context.FinalStatus;
        if (status != AgentRunStatus.Completed)
        {
            return StageResult.NotApplicable(status == AgentRunStatus.PendingApproval ? "memory.deferred_until_resumed" : "memory.request_not_completed");
        }

        if (store is null)
        {
            return StageResult.NotApplicable("memory.store_not_configured");
        }

        var identity = request.Identity;
        var scope = new MemoryScope
        {
            TenantId = identity.TenantId,
            Kind = request.Memory.Scope,
            OwnerId = request.Memory.Scope switch { MemoryScopeKind.Actor => identity.Actor.Id, MemoryScopeKind.Session => identity.SessionId, _ => null },
        };
        IReadOnlyList<MemoryWrite> proposals;
        try
        {
            proposals = await decider.DecideAsync(
                new MemoryDecisionContext { RequestId = context.RequestId, Request = request, Scope = scope, Status = status, Answer = context.Answer, AnswerClassification = context.Classification },
                cancellationToken).ConfigureAwait(false) ?? [];
        }
        catch (Exception ex) when (IsComponentFailure(ex, cancellationToken))
        {
            return NotUpdated(context, "memory.decider_failed", "the memory decider failed", ex, 0);
        }

        int retained = 0, refused = 0;
        foreach (var proposal in proposals)
        {
            // Memory never crosses tenants, whatever a decider proposes.
            var write = (proposal.Scope.TenantId == identity.TenantId ? proposal : proposal with { Scope = scope }) with { Content = context.Redactor.Redact(proposal.Content) };
            // Fail closed for the write only: a policy that cannot decide retains nothing, and the answer stands.
            var decision = await policy.DecideAsync(
                context.PolicyContextFor(PolicyAction.MemoryRetention, timeProvider.GetUtcNow(), classification: write.Classification),
                cancellationToken).ConfigureAwait(false);
            context.Telemetry.PolicyDecided(PolicyAction.MemoryRetention, decision);
            if (!decision.Permits)
            {
                // The refusal is explained in evidence like any other denial (reasons, policy version), by digest only.
                refused++;
                await context.Evidence.WriteAsync(
                    context.NewRecord(Stage, EvidenceKinds.PolicyDecision, StageOutcome.Denied, timeProvider.GetUtcNow(), TimeSpan.Zero, null, decision.Outcome.ToString(), decision.ReasonCodes,
                        new AttributeMap() { ["policy.action"] = nameof(PolicyAction.MemoryRetention), ["memory.scope"] = write.Scope.Kind.ToString(), ["memory.source_type"] = write.Provenance.SourceType },
                        [context.Hasher.Digest("memory.content", write.Content, write.Classification, context.Redactor)],
                        context.Versions with { Policy = decision.PolicyVersion },
                        classification: write.Classification),
                    EvidenceDurability.Acknowledged,
                    cancellationToken).ConfigureAwait(false);
                continue;
            }

            var expiresAt = write.ExpiresAt ?? (request.Memory.RetainFor is { } retainFor ? SafeTime.Add(timeProvider.GetUtcNow(), retainFor) : null);
            MemoryItem item;
            try
            {
                item = await store.RetainAsync(write with { ExpiresAt = expiresAt, Retention = request.Retention }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsComponentFailure(ex, cancellationToken))
            {
                return NotUpdated(context, "memory.store_failed", "the memory store failed", ex, retained);
            }

            retained++;
            await context.Evidence.WriteAsync(
                context.NewRecord(Stage, EvidenceKinds.MemoryChange, StageOutcome.Completed, timeProvider.GetUtcNow(), TimeSpan.Zero, null, "retained", decision.ReasonCodes,
                    new AttributeMap() { ["memory.id"] = item.Id, ["memory.scope"] = scope.Kind.ToString() },
                    [context.Hasher.Digest("memory.content", write.Content, write.Classification, context.Redactor)],
                    classification: write.Classification),
                EvidenceDurability.Acknowledged,
                cancellationToken).ConfigureAwait(false);
        }

        return new StageResult(retained > 0 ? StageOutcome.Completed : StageOutcome.NotApplicable, $"retained={retained};refused={refused}");
    }

    // The request's own cancellation passes through; anything else a decider or store throws (an outage, a full disk, its
    // own HTTP timeout) is that component failing.
    private static bool IsComponentFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not OutOfMemoryException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>
    /// The answer was decided before this stage: a memory component that fails costs the memory write, not the answer. The
    /// result says memory was not (fully) updated, and the stage record says why.
    /// </summary>
    private static StageResult NotUpdated(RequestContext context, string reason, string what, Exception ex, int retained)
    {
        context.Qualifications.Add(retained == 0
            ? $"Memory was not updated: {what} ({ex.GetType().Name})."
            : $"Memory was updated only in part ({retained} item(s)): {what} ({ex.GetType().Name}).");
        return new StageResult(StageOutcome.Failed, $"retained={retained};failed").WithReason(reason).With("exception", ex.GetType().Name);
    }
}
