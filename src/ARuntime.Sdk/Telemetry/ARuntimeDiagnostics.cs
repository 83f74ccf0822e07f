using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace ARuntime.Sdk.Telemetry;

/// <summary>
/// The names of the SDK's <see cref="ActivitySource"/> and <see cref="Meter"/>, for registering them with OpenTelemetry
/// (<c>AddSource(ARuntimeDiagnostics.ActivitySourceName)</c>, <c>AddMeter(ARuntimeDiagnostics.MeterName)</c>).
/// </summary>
public static class ARuntimeDiagnostics
{
    /// <summary>The name of the activity source every ARuntime span comes from.</summary>
    public const string ActivitySourceName = "ARuntime.Sdk";

    /// <summary>The name of the meter every ARuntime instrument belongs to.</summary>
    public const string MeterName = "ARuntime.Sdk";

    /// <summary>Gets the runtime's version (the assembly's informational version).</summary>
    public static string RuntimeVersion { get; } =
        typeof(ARuntimeDiagnostics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? typeof(ARuntimeDiagnostics).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName, RuntimeVersion);
}
