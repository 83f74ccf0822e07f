using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// Asks the policy engine for a decision, failing closed: an engine that throws — including a cancellation it raised on
/// its own, such as a remote decision point's HTTP timeout — or answers with no valid decision (none, an undefined outcome,
/// an approval requirement whose roles are null: neither "any approver" nor roles) gives a denial with
/// <c>policy.error</c>. Only the request's own cancellation passes through. Every action the runtime asks policy about
/// goes through here, so the rule holds in one place.
/// </summary>
internal static class FailClosedPolicy
{
    /// <summary>The policy version recorded on decisions the runtime makes itself.</summary>
    public const string RuntimeVersion = "runtime/1";

    public static async ValueTask<PolicyDecision> DecideAsync(this IPolicyEngine policy, PolicyContext context, CancellationToken cancellationToken)
    {
        PolicyDecision? decision;
        try
        {
            decision = await policy.EvaluateAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return PolicyDecision.Deny(RuntimeVersion, "The policy could not be evaluated.", "policy.error");
        }

        if (decision is null || !Enum.IsDefined(decision.Outcome))
        {
            return PolicyDecision.Deny(RuntimeVersion, "The policy returned no valid decision.", "policy.error");
        }

        return decision.Approval is { ApproverRoles: null }
            ? PolicyDecision.Deny(decision.PolicyVersion ?? RuntimeVersion, "The policy asked for approval without saying which roles may approve.", "policy.error")
            : decision;
    }
}
