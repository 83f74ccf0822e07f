using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Secrets;
using Microsoft.Extensions.AI;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// A tool backed by a Microsoft.Extensions.AI <see cref="AIFunction"/> (built from a method or delegate by
/// <see cref="AgentToolFactory"/>, or supplied by the host), classified by <see cref="ToolOptions"/>.
/// </summary>
internal sealed class FunctionAgentTool : AgentTool
{
    private readonly AIFunction function;
    private readonly ToolOptions options;

    public FunctionAgentTool(AIFunction function, ToolOptions options, JsonElement? generatedOutputSchema)
    {
        this.function = function;
        this.options = options;
        Descriptor = options.ToDescriptor(function.Name, function.Description, function.JsonSchema, generatedOutputSchema, options.Compensate is not null, options.QueryStatus is not null);
    }

    public override ToolDescriptor Descriptor { get; }

    public override async ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var arguments = new AIFunctionArguments(StringComparer.Ordinal) { Services = invocation.Services };
        if (invocation.Call.Arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in invocation.Call.Arguments.EnumerateObject())
            {
                arguments[property.Name] = property.Value;
            }
        }

        arguments.Context = new Dictionary<object, object?>
        {
            [typeof(ToolInvocation)] = invocation,
            [typeof(SecretValue)] = invocation.Credential,
        };

        var value = await function.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
        return value switch
        {
            ToolResult result => result,
            JsonElement element => ToolResult.Success(element),
            null => ToolResult.Success(JsonSerializer.SerializeToElement((object?)null, function.JsonSerializerOptions)),
            _ => ToolResult.Success(JsonSerializer.SerializeToElement(value, value.GetType(), function.JsonSerializerOptions)),
        };
    }

    public override ValueTask<CompensationResult> CompensateAsync(ToolCompensationRequest compensation, CancellationToken cancellationToken) =>
        options.Compensate is { } compensate ? compensate(compensation, cancellationToken) : base.CompensateAsync(compensation, cancellationToken);

    public override ValueTask<ToolOperationStatus> QueryStatusAsync(ToolStatusQuery query, CancellationToken cancellationToken) =>
        options.QueryStatus is { } queryStatus ? queryStatus(query, cancellationToken) : base.QueryStatusAsync(query, cancellationToken);
}
