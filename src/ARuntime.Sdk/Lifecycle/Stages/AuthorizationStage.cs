using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>
/// Stage 8, authorization: for every typed call, check that the tool was offered (the request listed it and the actor may
/// use it), the permission class, the side-effect class against the actor's authority, that its credential can be resolved,
/// and then ask the policy engine. A denied call never runs and the model is told why; there is no automatic privilege
/// expansion. A call that may cause a side effect is authorized durably in evidence before it can run.
/// </summary>
internal sealed class AuthorizationStage : IRequestStage
{
    private readonly IPolicyEngine policy;
    private readonly JsonSchemaValidator validator;
    private readonly ISecretResolver? secrets;
    private readonly TimeProvider timeProvider;

    public AuthorizationStage(IPolicyEngine policy, JsonSchemaValidator validator, IServiceProvider services, TimeProvider timeProvider)
    {
        this.policy = policy;
        this.validator = validator;
        secrets = services.GetService<ISecretResolver>();
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.Authorization;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var turn = context.Turn!;
        var candidates = turn.Calls.Where(c => c.Outcome is null).ToList();
        if (candidates.Count == 0)
        {
            return StageResult.NotApplicable(turn.ProposedAnswer is not null ? "model.answered" : "no_valid_calls");
        }

        int allowed = 0, denied = 0, approval = 0;
        var result = new StageResult(StageOutcome.Completed);
        foreach (var call in candidates)
        {
            var decision = await DecideAsync(context, call, cancellationToken).ConfigureAwait(false);
            call.Decision = decision;
            context.Telemetry.PolicyDecided(PolicyAction.ToolCall, decision, call);
            switch (decision.Outcome)
            {
                case PolicyOutcome.Allow or PolicyOutcome.Transform:
                    allowed++;
                    break;
                case PolicyOutcome.RequireApproval or PolicyOutcome.Escalate:
                    approval++;
                    break;
                default:
                    denied++;
                    call.Outcome = ToolCallOutcome.Denied;
                    call.Explanation = decision.Explanation ?? "Denied by policy.";
                    call.ReasonCodes.AddRange(decision.ReasonCodes);
                    break;
            }

            if (context.Events is not null)
            {
                context.Emit(new PolicyDecisionEvent
                {
                    RequestId = context.RequestId,
                    Timestamp = timeProvider.GetUtcNow(),
                    CallId = call.Call.CallId,
                    ToolName = call.Call.ToolName,
                    Outcome = decision.Outcome,
                    ReasonCodes = decision.ReasonCodes,
                });
            }

            // Evidence of the authorization must be durable before a side effect can follow from it.
            var sideEffecting = call.Descriptor is { SideEffect: > SideEffectClass.Read };
            var attributes = new AttributeMap()
            {
                ["call.id"] = call.Call.CallId,
                ["tool.name"] = call.Call.ToolName,
                ["policy.outcome"] = decision.Outcome.ToString(),
                ["policy.version"] = decision.PolicyVersion,
            };
            if (decision.RuleId is not null)
            {
                attributes["policy.rule"] = decision.RuleId;
            }

            if (call.Descriptor is not null)
            {
                attributes["tool.side_effect"] = call.Descriptor.SideEffect.ToString();
                attributes["tool.permission_class"] = call.Descriptor.PermissionClass;
            }

            if (decision.ExpiresAt is { } expires)
            {
                attributes["policy.expires_at"] = expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }

            if (decision.Approval is { } requirement && !decision.Permits)
            {
                attributes["approval.roles"] = string.Join(',', requirement.ApproverRoles);
                attributes["approval.distinct_approver"] = requirement.RequireDistinctApprover ? "true" : "false";
            }

            var payloads = new List<PayloadDigest>(2)
            {
                call.ArgumentsDigest(context),
            };
            if (decision.Outcome is PolicyOutcome.Transform)
            {
                payloads.Add(context.Hasher.Digest("tool.arguments.proposed", call.Call.Arguments.GetRawText(), context.Classification, context.Redactor));
            }

            await context.Evidence.WriteAsync(
                context.NewRecord(
                    Stage,
                    EvidenceKinds.PolicyDecision,
                    decision.Permits ? StageOutcome.Completed : decision.Outcome is PolicyOutcome.Deny ? StageOutcome.Denied : StageOutcome.Paused,
                    timeProvider.GetUtcNow(),
                    TimeSpan.Zero,
                    null,
                    decision.Outcome.ToString(),
                    decision.ReasonCodes,
                    attributes,
                    payloads,
                    context.Versions with { Policy = decision.PolicyVersion, Tool = call.Descriptor is null ? null : call.Descriptor.Name + "@" + call.Descriptor.Version }),
                decision.Permits && sideEffecting ? EvidenceDurability.Durable : EvidenceDurability.Acknowledged,
                cancellationToken).ConfigureAwait(false);
            result.WithReason(call.Call.ToolName + ":" + decision.Outcome);
        }

        return new StageResult(denied > 0 && allowed == 0 && approval == 0 ? StageOutcome.Denied : StageOutcome.Completed, $"allow={allowed};deny={denied};approval={approval}")
            .WithReasons(result.ReasonCodes ?? []);
    }

    private async ValueTask<PolicyDecision> DecideAsync(RequestContext context, PlannedCall call, CancellationToken cancellationToken)
    {
        const string runtimeVersion = FailClosedPolicy.RuntimeVersion;
        var descriptor = call.Descriptor;
        if (descriptor is null || !context.Authority.AllowsTool(call.Call.ToolName))
        {
            // The typical prompt-injection outcome: a call to a tool this request never offered.
            var reason = descriptor is null ? "tool.unknown" : context.Authority.WithheldTools.TryGetValue(call.Call.ToolName, out var withheld) ? withheld : "tool.not_allowed";
            return PolicyDecision.Deny(runtimeVersion, $"Tool '{call.Call.ToolName}' is not available to this request.", "tool.not_allowed", reason);
        }

        if (!context.Authority.HasPermission(descriptor.PermissionClass))
        {
            return PolicyDecision.Deny(runtimeVersion, $"The actor lacks permission '{descriptor.PermissionClass}'.", "permission.missing", "permission:" + descriptor.PermissionClass);
        }

        if (descriptor.SideEffect > context.Authority.MaxSideEffect)
        {
            return PolicyDecision.Deny(runtimeVersion, "The tool's side effects exceed the actor's authority.", "side_effect.exceeds_authority");
        }

        if (descriptor.AuthReference is not null && secrets is null)
        {
            return PolicyDecision.Deny(runtimeVersion, "The tool's credential cannot be resolved (no secret resolver is registered).", "credential.unavailable");
        }

        var action = call.Approved && call.ChangedByApprover ? PolicyAction.ApprovedChange : PolicyAction.ToolCall;
        // Fail closed: a policy that cannot decide, or decides nothing valid, denies (FailClosedPolicy).
        var decision = await policy.DecideAsync(
            context.PolicyContextFor(action, timeProvider.GetUtcNow(), tool: descriptor, arguments: call.EffectiveArguments),
            cancellationToken).ConfigureAwait(false);

        if (decision.Outcome is PolicyOutcome.Transform)
        {
            if (decision.TransformedArguments is not { ValueKind: JsonValueKind.Object } transformed || !validator.ValidateInput(descriptor, transformed).IsValid)
            {
                return PolicyDecision.Deny(decision.PolicyVersion, "The policy's transformation does not satisfy the tool's input schema.", [.. decision.ReasonCodes, "policy.transform_invalid"]) with { RuleId = decision.RuleId };
            }

            call.EffectiveArguments = transformed;
        }

        // Review required by risk classification turns any side effect into an approval, unless a human already approved it.
        if (decision.Outcome is PolicyOutcome.Allow or PolicyOutcome.Transform && context.Risk.ReviewRequired && descriptor.SideEffect > SideEffectClass.Read && !call.Approved)
        {
            decision = decision with { Outcome = PolicyOutcome.RequireApproval, Approval = decision.Approval ?? new ApprovalRequirement(), ReasonCodes = [.. decision.ReasonCodes, "risk.review_required"] };
        }

        // A human approval satisfies an approval requirement — if the approver meets it (an approver's change may have raised
        // it to a higher authority) — and never overrides a denial.
        if (call.Approved && decision.Outcome is PolicyOutcome.RequireApproval or PolicyOutcome.Escalate)
        {
            var requirement = decision.Approval ?? new ApprovalRequirement();
            if (ApproverMeets(requirement, call.ApprovedBy, context.Request.Identity))
            {
                decision = decision with { Outcome = PolicyOutcome.Allow, ReasonCodes = [.. decision.ReasonCodes, "approval.granted"] };
            }
            else
            {
                call.Approved = false;
                call.ApprovedBy = null;
                decision = decision with { ReasonCodes = [.. decision.ReasonCodes, "approval.insufficient"] };
            }
        }

        return decision;
    }

    /// <summary>Whether the recorded approver satisfies a requirement (roles and separation of duties).</summary>
    internal static bool ApproverMeets(ApprovalRequirement requirement, ActorIdentity? approver, RequestIdentity requester)
    {
        if (approver is null)
        {
            return false;
        }

        if (requirement.RequireDistinctApprover
            && (string.Equals(approver.Id, requester.Actor.Id, StringComparison.Ordinal) || requester.DelegatedBy.Any(d => string.Equals(d.DelegatorId, approver.Id, StringComparison.Ordinal))))
        {
            return false;
        }

        return requirement.ApproverRoles.Count == 0 || requirement.ApproverRoles.Any(role => approver.Roles.Contains(role, StringComparer.Ordinal));
    }
}
