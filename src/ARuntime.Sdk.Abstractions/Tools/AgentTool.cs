using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// A tool the runtime can execute on a model's behalf, after the call was parsed, validated and authorized. Derive from it
/// for class-based tools; the runtime's tool factory builds instances from methods, delegates and Microsoft.Extensions.AI
/// functions.
/// </summary>
/// <remarks>
/// Implementations must honour the cancellation token, must not throw for expected failures (return
/// <see cref="ToolResult.Failure(string)"/>), and must use <see cref="ToolInvocation.OperationKey"/> to deduplicate when the
/// descriptor declares <see cref="IdempotencyKind.OperationKey"/>.
/// </remarks>
public abstract class AgentTool
{
    /// <summary>Gets the tool's descriptor.</summary>
    public abstract ToolDescriptor Descriptor { get; }

    /// <summary>Executes a validated, authorized call.</summary>
    /// <param name="invocation">The call, its operation key and its execution context.</param>
    /// <param name="cancellationToken">Cancelled on timeout, deadline or caller cancellation.</param>
    /// <returns>The result.</returns>
    public abstract ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken);

    /// <summary>Undoes the effect of an earlier, successful call (the saga compensation step). Must be idempotent.</summary>
    /// <param name="compensation">The call to undo and its recorded result.</param>
    /// <param name="cancellationToken">Cancelled on timeout.</param>
    /// <returns>Whether the effect was undone.</returns>
    /// <exception cref="NotSupportedException">The tool declares no compensation.</exception>
    public virtual ValueTask<CompensationResult> CompensateAsync(ToolCompensationRequest compensation, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"Tool '{Descriptor.Name}' declares no compensation.");

    /// <summary>Reports the status of an operation by its key (used to reconcile after a timeout or a crash, instead of a blind retry).</summary>
    /// <param name="query">The operation to look up.</param>
    /// <param name="cancellationToken">Cancelled on timeout.</param>
    /// <returns>The operation's status.</returns>
    /// <exception cref="NotSupportedException">The tool declares no status query.</exception>
    public virtual ValueTask<ToolOperationStatus> QueryStatusAsync(ToolStatusQuery query, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"Tool '{Descriptor.Name}' declares no status query.");
}
