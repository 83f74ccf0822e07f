namespace ARuntime.Sdk.Approvals;

/// <summary>What a pending approval is for.</summary>
public enum ApprovalKind
{
    /// <summary>A proposed tool call that policy or risk requires a human to approve.</summary>
    ToolCall = 0,

    /// <summary>Extending a budget the request exhausted (policy allowed extension through approval).</summary>
    BudgetExtension = 1,
}
