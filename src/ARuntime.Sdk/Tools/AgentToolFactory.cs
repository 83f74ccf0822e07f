using System.Reflection;
using System.Text.Json;
using ARuntime.Sdk.Secrets;
using Microsoft.Extensions.AI;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// Builds <see cref="AgentTool"/>s from methods, delegates and Microsoft.Extensions.AI functions. Input and output schemas
/// come from the .NET parameter and return types (through <see cref="AIFunctionFactory"/>); the classification comes from
/// <see cref="ToolOptions"/>.
/// </summary>
/// <remarks>
/// Besides JSON-bound parameters, a tool method may take a <see cref="CancellationToken"/>, an <see cref="IServiceProvider"/>,
/// a <see cref="ToolInvocation"/> (operation key, identity, attempt) and a <see cref="SecretValue"/> (the credential named by
/// <see cref="ToolOptions.AuthReference"/>); these are bound by the runtime and never appear in the schema the model sees.
/// A method may return any serializable value (the output), or a <see cref="ToolResult"/> to report failure or changed
/// resources itself.
/// </remarks>
public static class AgentToolFactory
{
    /// <summary>Creates a tool from a delegate.</summary>
    /// <param name="method">The delegate.</param>
    /// <param name="configure">Classifies the tool; <see cref="ToolOptions.PermissionClass"/> and <see cref="ToolOptions.SideEffect"/> are required.</param>
    /// <param name="serializerOptions">JSON options for arguments and results; defaults to Microsoft.Extensions.AI's.</param>
    /// <returns>The tool.</returns>
    /// <exception cref="ToolRegistrationException">The declaration is invalid or contradictory.</exception>
    public static AgentTool Create(Delegate method, Action<ToolOptions> configure, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ToolOptions();
        configure(options);
        return Create(method.Method, method.Target, options, serializerOptions);
    }

    /// <summary>Creates a tool from a method.</summary>
    /// <param name="method">The method.</param>
    /// <param name="target">The instance for an instance method; <see langword="null"/> for a static one.</param>
    /// <param name="options">The classification.</param>
    /// <param name="serializerOptions">JSON options for arguments and results.</param>
    /// <returns>The tool.</returns>
    /// <exception cref="ToolRegistrationException">The declaration is invalid or contradictory.</exception>
    public static AgentTool Create(MethodInfo method, object? target, ToolOptions options, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(options);
        var returnsToolResult = UnwrapTask(method.ReturnType) == typeof(ToolResult);
        var function = AIFunctionFactory.Create(method, target, new AIFunctionFactoryOptions
        {
            Name = ToolNaming.NameFor(method, options.Name),
            Description = options.Description,
            SerializerOptions = serializerOptions,
            ExcludeResultSchema = returnsToolResult,
            ConfigureParameterBinding = BindRuntimeParameters,
            MarshalResult = (result, type, _) => new ValueTask<object?>(result is ToolResult ? result : Marshal(result, type, serializerOptions)),
        });
        var tool = new FunctionAgentTool(function, options, returnsToolResult ? null : function.ReturnJsonSchema, method);
        ToolDescriptorValidator.Validate(tool);
        return tool;
    }

    /// <summary>Creates a tool from a Microsoft.Extensions.AI function, with the classifications it lacks given explicitly.</summary>
    /// <param name="function">The function.</param>
    /// <param name="configure">Classifies the tool; <see cref="ToolOptions.PermissionClass"/> and <see cref="ToolOptions.SideEffect"/> are required.</param>
    /// <returns>The tool.</returns>
    /// <exception cref="ToolRegistrationException">The declaration is invalid or contradictory.</exception>
    public static AgentTool Create(AIFunction function, Action<ToolOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ToolOptions();
        configure(options);
        var tool = new FunctionAgentTool(function, options, function.ReturnJsonSchema);
        ToolDescriptorValidator.Validate(tool);
        return tool;
    }

    private static AIFunctionFactoryOptions.ParameterBindingOptions BindRuntimeParameters(ParameterInfo parameter)
    {
        if (parameter.ParameterType == typeof(ToolInvocation) || parameter.ParameterType == typeof(SecretValue))
        {
            return new AIFunctionFactoryOptions.ParameterBindingOptions
            {
                ExcludeFromSchema = true,
                BindParameter = static (p, arguments) =>
                    arguments.Context is { } context && context.TryGetValue(p.ParameterType, out var value) ? value : null,
            };
        }

        return default;
    }

    private static object? Marshal(object? result, Type? type, JsonSerializerOptions? serializerOptions)
    {
        if (result is null or JsonElement)
        {
            return result;
        }

        var options = serializerOptions ?? AIJsonUtilities.DefaultOptions;
        return JsonSerializer.SerializeToElement(result, result.GetType(), options);
    }

    private static Type UnwrapTask(Type type)
    {
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(Task<>) || definition == typeof(ValueTask<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return type;
    }
}
