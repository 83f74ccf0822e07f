using ARuntime.Sdk.Telemetry;

#pragma warning disable IDE0130 // OpenTelemetry extension methods live in OpenTelemetry's namespaces, by convention.
namespace OpenTelemetry.Metrics;
#pragma warning restore IDE0130

/// <summary>Registers ARuntime's instruments with an OpenTelemetry <see cref="MeterProviderBuilder"/>.</summary>
public static class ARuntimeMeterProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the runtime's meter (<c>ARuntime.Sdk</c>: <c>gen_ai.client.token.usage</c>,
    /// <c>gen_ai.client.operation.duration</c> and the rest listed in docs/observability.md, with the conventions' bucket
    /// advice) and, unless <paramref name="includeComponents"/> is <see langword="false"/>, to the meters of its packages
    /// (<c>ARuntime.Sdk.*</c>, for example the llama.cpp engine's and the SQLCipher store's).
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="includeComponents">Whether the packages' meters are included too.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddARuntimeInstrumentation(this MeterProviderBuilder builder, bool includeComponents = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return includeComponents
            ? builder.AddMeter(ARuntimeDiagnostics.MeterName, ARuntimeDiagnostics.MeterName + ".*")
            : builder.AddMeter(ARuntimeDiagnostics.MeterName);
    }
}
