using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using Microsoft.Extensions.AI;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// Base class of a class-based tool with typed input and output. The input and output JSON Schemas are generated from
/// <typeparamref name="TInput"/> and <typeparamref name="TOutput"/>; the classification (permission class, side-effect
/// class, egress, auth reference, retry, idempotency, timeout, concurrency) comes from the <see cref="ToolOptions"/> given to
/// the constructor. Override <see cref="AgentTool.CompensateAsync"/> to declare a compensation and
/// <see cref="AgentTool.QueryStatusAsync"/> to declare a status query; the descriptor says so automatically.
/// </summary>
/// <typeparam name="TInput">The arguments (an object type).</typeparam>
/// <typeparam name="TOutput">The result.</typeparam>
/// <example>
/// <code>
/// public sealed class RefundTool() : AgentTool&lt;RefundRequest, RefundReceipt&gt;(new ToolOptions
/// {
///     Name = "refund", PermissionClass = "payments.refund", SideEffect = SideEffectClass.Irreversible,
///     Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["orderId"] },
/// })
/// {
///     protected override ValueTask&lt;RefundReceipt&gt; ExecuteAsync(RefundRequest input, ToolInvocation invocation, CancellationToken cancellationToken) => ...;
/// }
/// </code>
/// </example>
public abstract class AgentTool<TInput, TOutput> : AgentTool
{
    private readonly JsonSerializerOptions serializerOptions;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The classification. <see cref="ToolOptions.Name"/> defaults to the class name; <see cref="ToolOptions.Description"/> to its <c>[Description]</c>.</param>
    /// <param name="serializerOptions">JSON options for arguments, results and schemas; defaults to Microsoft.Extensions.AI's.</param>
    /// <exception cref="ToolRegistrationException">The declaration is invalid or contradictory.</exception>
    protected AgentTool(ToolOptions options, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.serializerOptions = serializerOptions ?? AIJsonUtilities.DefaultOptions;
        var type = GetType();
        if (options.Compensate is not null || options.QueryStatus is not null)
        {
            throw new ToolRegistrationException(options.Name ?? type.Name, "a class-based tool overrides CompensateAsync and QueryStatusAsync instead of setting ToolOptions.Compensate or ToolOptions.QueryStatus.");
        }

        var inputSchema = AIJsonUtilities.CreateJsonSchema(typeof(TInput), serializerOptions: this.serializerOptions);
        var outputSchema = AIJsonUtilities.CreateJsonSchema(typeof(TOutput), serializerOptions: this.serializerOptions);
        Descriptor = options.ToDescriptor(
            type.Name,
            type.GetCustomAttribute<DescriptionAttribute>()?.Description,
            inputSchema,
            outputSchema,
            ToolDescriptorValidator.Overrides(type, nameof(CompensateAsync)),
            ToolDescriptorValidator.Overrides(type, nameof(QueryStatusAsync)));
    }

    /// <inheritdoc />
    public sealed override ToolDescriptor Descriptor { get; }

    /// <inheritdoc />
    public sealed override async ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        TInput? input;
        try
        {
            input = invocation.Call.Arguments.Deserialize<TInput>(serializerOptions);
        }
        catch (JsonException)
        {
            return ToolResult.Failure($"The arguments could not be read as {typeof(TInput).Name}.");
        }

        if (input is null)
        {
            return ToolResult.Failure("The arguments are missing.");
        }

        TOutput output;
        try
        {
            output = await ExecuteAsync(input, invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException ex)
        {
            return ToolResult.Failure(ex.Message);
        }

        var changed = ChangedResources(input, output);
        return new ToolResult
        {
            Status = ToolResultStatus.Succeeded,
            Output = JsonSerializer.SerializeToElement(output, serializerOptions),
            ChangedResources = changed,
        };
    }

    /// <summary>Runs the operation.</summary>
    /// <param name="input">The validated, authorized arguments.</param>
    /// <param name="invocation">The call's operation key, identity, attempt and credential.</param>
    /// <param name="cancellationToken">Cancelled on timeout, deadline or caller cancellation.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ToolFailedException">The operation failed without effect (the message is shown to the model).</exception>
    protected abstract ValueTask<TOutput> ExecuteAsync(TInput input, ToolInvocation invocation, CancellationToken cancellationToken);

    /// <summary>Names the external resources a successful call changed (for evidence and compensation); none by default.</summary>
    /// <param name="input">The arguments.</param>
    /// <param name="output">The result.</param>
    /// <returns>The changed resources.</returns>
    protected virtual IReadOnlyList<string> ChangedResources(TInput input, TOutput output) => [];
}
