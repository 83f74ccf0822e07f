namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>How the inference stage records route policy asked again mid-request.</summary>
internal static class RouteRecheckEvidence
{
    /// <summary>Adds <c>route.policy_recheck</c> (<c>deployment=Outcome@policyVersion;…</c>) when policy was asked again.</summary>
    public static StageResult WithRechecks(this StageResult result, List<string>? rechecks) =>
        rechecks is { Count: > 0 } ? result.With("route.policy_recheck", string.Join(';', rechecks)) : result;
}
