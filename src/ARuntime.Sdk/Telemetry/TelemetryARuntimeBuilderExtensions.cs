using ARuntime.Sdk.Telemetry;
using Microsoft.Extensions.DependencyInjection;

#pragma warning disable IDE0130 // Builder extensions live in the builder's namespace: one `using ARuntime.Sdk;` brings every package's.
namespace ARuntime.Sdk;
#pragma warning restore IDE0130

/// <summary>Configures the runtime's telemetry; see docs/observability.md.</summary>
public static class TelemetryARuntimeBuilderExtensions
{
    /// <summary>Configures the telemetry settings (content capture, tenant attribute, stage spans).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the settings.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder ConfigureTelemetry(this ARuntimeBuilder builder, Action<TelemetryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<ARuntimeOptions>(o => configure(o.Telemetry));
        return builder;
    }
}
