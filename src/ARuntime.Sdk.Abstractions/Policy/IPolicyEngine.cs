using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// The policy authority. It decides whether an action (a tool call, a route, a memory write, a budget extension) may
/// proceed: allow, deny, transform, require approval or escalate, with reason codes, its version and an expiry.
/// </summary>
/// <remarks>Implementations must be deterministic for the same context and fail closed: an error inside a policy is a denial.</remarks>
public interface IPolicyEngine
{
    /// <summary>Decides about an action.</summary>
    /// <param name="context">The action and everything known about it.</param>
    /// <param name="cancellationToken">Cancels the evaluation.</param>
    /// <returns>The decision.</returns>
    ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default);
}
