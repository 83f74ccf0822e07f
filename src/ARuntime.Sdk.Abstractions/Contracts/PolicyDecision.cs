using System.Text.Json;

namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The policy decision contract: allow, deny, transform, require approval or escalate, with the reasons, the version of the
/// policy that decided, and when the decision stops being valid.
/// </summary>
public sealed record PolicyDecision : IVersionedContract
{
    /// <inheritdoc />
    public string ContractVersion { get; init; } = ContractVersions.Current;

    /// <summary>Gets the outcome.</summary>
    public required PolicyOutcome Outcome { get; init; }

    /// <summary>Gets machine-readable reason codes (for example <c>tool.not_allowed</c>, <c>rule:refunds-over-100</c>).</summary>
    public IReadOnlyList<string> ReasonCodes { get; init => field = value ?? []; } = [];

    /// <summary>Gets the version of the policy that decided.</summary>
    public required string PolicyVersion { get; init; }

    /// <summary>Gets the id of the rule that decided, if a rule did.</summary>
    public string? RuleId { get; init; }

    /// <summary>Gets a human-readable explanation (shown to the model and the caller for denials; must not contain secrets).</summary>
    public string? Explanation { get; init; }

    /// <summary>Gets when the decision stops being valid; an approval granted after it is refused.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets the arguments to use instead of the proposed ones, for <see cref="PolicyOutcome.Transform"/>.</summary>
    public JsonElement? TransformedArguments { get; init; }

    /// <summary>Gets the approval conditions, for <see cref="PolicyOutcome.RequireApproval"/> and <see cref="PolicyOutcome.Escalate"/>.</summary>
    public ApprovalRequirement? Approval { get; init; }

    /// <summary>Gets whether the action may proceed now (allowed or transformed).</summary>
    public bool Permits => Outcome is PolicyOutcome.Allow or PolicyOutcome.Transform;

    /// <summary>Creates an allow decision.</summary>
    /// <param name="policyVersion">The deciding policy's version.</param>
    /// <param name="reasonCodes">The reason codes.</param>
    /// <returns>The decision.</returns>
    public static PolicyDecision Allow(string policyVersion, params string[] reasonCodes) =>
        new() { Outcome = PolicyOutcome.Allow, PolicyVersion = policyVersion, ReasonCodes = reasonCodes };

    /// <summary>Creates a deny decision.</summary>
    /// <param name="policyVersion">The deciding policy's version.</param>
    /// <param name="explanation">Why, in words safe to show the model and the caller.</param>
    /// <param name="reasonCodes">The reason codes.</param>
    /// <returns>The decision.</returns>
    public static PolicyDecision Deny(string policyVersion, string explanation, params string[] reasonCodes) =>
        new() { Outcome = PolicyOutcome.Deny, PolicyVersion = policyVersion, Explanation = explanation, ReasonCodes = reasonCodes };
}
