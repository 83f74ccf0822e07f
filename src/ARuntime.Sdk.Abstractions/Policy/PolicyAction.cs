namespace ARuntime.Sdk.Policy;

/// <summary>The kind of action a policy decides about.</summary>
public enum PolicyAction
{
    /// <summary>Executing a proposed tool call.</summary>
    ToolCall = 0,

    /// <summary>Executing a tool call with arguments an approver changed.</summary>
    ApprovedChange = 1,

    /// <summary>Using a model deployment (including a fallback).</summary>
    ModelRoute = 2,

    /// <summary>Retaining an item in agent memory.</summary>
    MemoryRetention = 3,

    /// <summary>Extending an exhausted budget.</summary>
    BudgetExtension = 4,

    /// <summary>Reading from a context source.</summary>
    ContextSource = 5,
}
