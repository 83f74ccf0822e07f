namespace ARuntime.Sdk.Lifecycle;

/// <summary>
/// The name a host component (an evaluator, a response finalizer) is recorded under: its own <c>Name</c>, or its type's
/// name when that is blank or the getter throws — a host component's fault must not fault the stage that names it.
/// </summary>
internal static class HostComponentName
{
    public static string Of<TComponent>(TComponent component, Func<TComponent, string?> name)
        where TComponent : class
    {
        try
        {
            return name(component) is { } value && !string.IsNullOrWhiteSpace(value) ? value : component.GetType().Name;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return component.GetType().Name;
        }
    }
}
