namespace ARuntime.Sdk.Contracts;

/// <summary>What a policy decided about an action.</summary>
public enum PolicyOutcome
{
    /// <summary>The action may proceed as proposed.</summary>
    Allow = 0,

    /// <summary>The action must not happen. There is no automatic privilege expansion: only a configured approval path can change this.</summary>
    Deny = 1,

    /// <summary>The action may proceed in a changed form (for example narrowed or redacted arguments).</summary>
    Transform = 2,

    /// <summary>The action waits for a human approval; the request pauses without holding compute.</summary>
    RequireApproval = 3,

    /// <summary>The action is beyond this policy's authority and is handed to a higher authority (treated as a pause for approval by that authority).</summary>
    Escalate = 4,
}
