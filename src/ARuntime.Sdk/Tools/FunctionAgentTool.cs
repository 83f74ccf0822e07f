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
        var name = options.Name ?? function.Name;
        Descriptor = new ToolDescriptor
        {
            Name = name,
            Version = options.Version,
            Description = options.Description ?? function.Description ?? string.Empty,
            InputSchema = function.JsonSchema,
            OutputSchema = options.OutputSchema ?? generatedOutputSchema,
            PermissionClass = options.PermissionClass ?? throw new ToolRegistrationException(name, "a permission class is required (ToolOptions.PermissionClass)."),
            SideEffect = options.SideEffect ?? throw new ToolRegistrationException(name, "a side-effect class is required (ToolOptions.SideEffect)."),
            Egress = [.. options.Egress],
            AuthReference = options.AuthReference,
            Retry = options.Retry,
            Idempotency = options.Idempotency,
            Compensation = options.Compensate is null ? null : new ToolCompensation { Description = options.CompensationDescription ?? "Undo the operation." },
            SupportsStatusQuery = options.QueryStatus is not null,
            Timeout = options.Timeout,
            MaxConcurrency = options.MaxConcurrency,
            OutputClassification = options.OutputClassification,
        };
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
