using ARuntime.Sdk.Telemetry;

#pragma warning disable IDE0130 // OpenTelemetry extension methods live in OpenTelemetry's namespaces, by convention.
namespace OpenTelemetry.Trace;
#pragma warning restore IDE0130

/// <summary>Registers ARuntime's spans with an OpenTelemetry <see cref="TracerProviderBuilder"/>.</summary>
public static class ARuntimeTracerProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the runtime's activity source (<c>ARuntime.Sdk</c>: the <c>invoke_agent</c>, stage, <c>chat</c> and
    /// <c>execute_tool</c> spans) and, unless <paramref name="includeComponents"/> is <see langword="false"/>, to the sources of
    /// its packages (<c>ARuntime.Sdk.*</c>, for example the llama.cpp engine's <c>llama.infer</c> spans).
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="includeComponents">Whether the packages' sources are included too.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddARuntimeInstrumentation(this TracerProviderBuilder builder, bool includeComponents = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return includeComponents
            ? builder.AddSource(ARuntimeDiagnostics.ActivitySourceName, ARuntimeDiagnostics.ActivitySourceName + ".*")
            : builder.AddSource(ARuntimeDiagnostics.ActivitySourceName);
    }
}
