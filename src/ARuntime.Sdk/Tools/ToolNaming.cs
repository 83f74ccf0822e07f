using System.Reflection;
using Microsoft.Extensions.AI;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// The name a tool made from a method gets when the host sets no <see cref="ToolOptions.Name"/>. The model calls tools by
/// name, so it must see the name the developer wrote: C# compiles a local function (the natural way to write a tool in a
/// top-level <c>Program.cs</c>) to a method named <c>&lt;&lt;Main&gt;$&gt;g__GetOrderStatus|0_0</c>, which would otherwise
/// reach the model as <c>_Main_g_GetOrderStatus_0_0</c>; a lambda has no name at all.
/// </summary>
internal static class ToolNaming
{
    private const string LocalFunctionMarker = ">g__";
    private const string AsyncSuffix = "Async";

    /// <summary>Returns the name to give the tool, or <see langword="null"/> for the name Microsoft.Extensions.AI gives the method.</summary>
    /// <exception cref="ToolRegistrationException">The method is a lambda or another compiler-generated method and no name was given.</exception>
    public static string? NameFor(MethodInfo method, string? configuredName)
    {
#pragma warning disable MEAI001 // The attribute is experimental in Microsoft.Extensions.AI; a host that uses it gets the name it set.
        if (configuredName is not null || !method.Name.StartsWith('<') || method.IsDefined(typeof(AIFunctionNameAttribute)))
#pragma warning restore MEAI001
        {
            return configuredName;
        }

        var name = method.Name;
        var start = name.IndexOf(LocalFunctionMarker, StringComparison.Ordinal);
        if (start >= 0)
        {
            start += LocalFunctionMarker.Length;
            var end = name.IndexOf('|', start);
            if (end > start)
            {
                // As Microsoft.Extensions.AI names a method: an awaitable GetOrderAsync is the tool GetOrder.
                var written = name[start..end];
                return written.Length > AsyncSuffix.Length && written.EndsWith(AsyncSuffix, StringComparison.Ordinal) && IsAwaitable(method.ReturnType)
                    ? written[..^AsyncSuffix.Length]
                    : written;
            }
        }

        throw new ToolRegistrationException(
            null,
            $"the method '{name}' is a lambda or another compiler-generated method, which has no name the model could call; set ToolOptions.Name.");
    }

    private static bool IsAwaitable(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask)
        || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>) || type.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)));
}
