namespace ARuntime.Sdk.Approvals;

/// <summary>An approver's verdict.</summary>
public enum ApprovalVerdict
{
    /// <summary>The call may run as proposed.</summary>
    Approve = 0,

    /// <summary>The call may run with the approver's changed arguments (authorized again before it runs).</summary>
    ApproveWithChanges = 1,

    /// <summary>The call must not run; the model is told it was rejected.</summary>
    Reject = 2,
}
