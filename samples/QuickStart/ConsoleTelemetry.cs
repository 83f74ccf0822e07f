using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace QuickStart;

/// <summary>
/// Prints the runtime's OpenTelemetry spans and metrics to the console when the sample runs with <c>--otel-console</c>.
/// In an application, register the same two calls (<c>AddARuntimeInstrumentation()</c>) with your tracer and meter providers
/// and your exporter of choice. Content (prompts, answers, tool payloads) stays out of the spans unless you opt in with
/// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</c> or <c>options.Telemetry.CaptureMessageContent</c>.
/// </summary>
internal static class ConsoleTelemetry
{
    /// <summary>The command-line flag that turns the console exporter on.</summary>
    public const string Flag = "--otel-console";

    /// <summary>Starts console export when <paramref name="args"/> holds <see cref="Flag"/>; dispose the result to flush.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The providers to dispose at exit, or <see langword="null"/> when the flag is absent.</returns>
    public static IDisposable? StartIfRequested(string[] args)
    {
        if (!args.Contains(Flag, StringComparer.Ordinal))
        {
            return null;
        }

        var resource = ResourceBuilder.CreateDefault().AddService("aruntime-quickstart");
        var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddARuntimeInstrumentation().AddConsoleExporter().Build();
        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddARuntimeInstrumentation().AddConsoleExporter().Build();
        return new Providers(tracing, metrics);
    }

    private sealed class Providers(TracerProvider tracing, MeterProvider metrics) : IDisposable
    {
        public void Dispose()
        {
            // Disposing flushes: the spans and the final metric values reach the console before the process exits.
            tracing.Dispose();
            metrics.Dispose();
        }
    }
}
