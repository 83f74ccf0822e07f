using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
    private readonly (ParameterInfo Parameter, string Key, JsonTypeInfo Type)[] jsonParameters;

    /// <param name="function">The function.</param>
    /// <param name="options">The classification.</param>
    /// <param name="generatedOutputSchema">The output schema generated from the return type.</param>
    /// <param name="method">
    /// The method behind a function this SDK built (its JSON-bound parameters are read before the method runs); null for a
    /// host-supplied function, whose binding is its own.
    /// </param>
    public FunctionAgentTool(AIFunction function, ToolOptions options, JsonElement? generatedOutputSchema, MethodInfo? method = null)
    {
        this.function = function;
        this.options = options;
        jsonParameters = method is null
            ? []
            : [.. method.GetParameters().Where(p => !IsRuntimeBound(p.ParameterType)).Select(p => (p, ArgumentKey(p), function.JsonSerializerOptions.GetTypeInfo(p.ParameterType)))];
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

        // Read the arguments before the method runs: one its parameter cannot take (2.0 or 1e20 for an int passes an
        // "integer" schema) fails the call without effect, instead of surfacing from inside the invocation as an exception
        // whose effect is unknown. The binder passes the values read here through as they are.
        foreach (var (parameter, key, type) in jsonParameters)
        {
            if (!arguments.TryGetValue(key, out var given))
            {
                if (!parameter.HasDefaultValue)
                {
                    return ToolResult.Failure($"The argument '{key}' is missing.");
                }

                continue;
            }

            try
            {
                arguments[key] = given is JsonElement element ? element.Deserialize(type) : given;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return ToolResult.Failure($"The argument '{key}' could not be read as {parameter.ParameterType.Name}.");
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

    /// <summary>The name the model gives a parameter's argument: the parameter's, unless the host renamed it as Microsoft.Extensions.AI lets it.</summary>
#pragma warning disable MEAI001 // The attribute is experimental in Microsoft.Extensions.AI; the schema uses it, so reading must too.
    private static string ArgumentKey(ParameterInfo parameter) => parameter.GetCustomAttribute<AIParameterNameAttribute>()?.Name ?? parameter.Name!;
#pragma warning restore MEAI001

    /// <summary>Whether the runtime or Microsoft.Extensions.AI binds a parameter of this type (it is never read from the arguments).</summary>
    private static bool IsRuntimeBound(Type type) =>
        type == typeof(CancellationToken) || type == typeof(IServiceProvider) || type == typeof(AIFunctionArguments)
        || type == typeof(ToolInvocation) || type == typeof(SecretValue);

    public override ValueTask<CompensationResult> CompensateAsync(ToolCompensationRequest compensation, CancellationToken cancellationToken) =>
        options.Compensate is { } compensate ? compensate(compensation, cancellationToken) : base.CompensateAsync(compensation, cancellationToken);

    public override ValueTask<ToolOperationStatus> QueryStatusAsync(ToolStatusQuery query, CancellationToken cancellationToken) =>
        options.QueryStatus is { } queryStatus ? queryStatus(query, cancellationToken) : base.QueryStatusAsync(query, cancellationToken);
}
