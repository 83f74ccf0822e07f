using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace QuickStart;

/// <summary>
/// With <c>--otel-console</c>, prints the runtime's OpenTelemetry spans (<c>invoke_agent</c>, one per stage, <c>chat</c>,
/// <c>execute_tool</c>) and metrics (<c>gen_ai.client.token.usage</c>, <c>gen_ai.client.operation.duration</c>, ...) to
/// standard output. In an application, make the same two <c>AddARuntimeInstrumentation()</c> calls on your tracer and meter
/// providers and pick your exporter. Prompts, answers and tool payloads stay out of the spans unless you opt in with
/// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</c> or <c>options.Telemetry.CaptureMessageContent</c>.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Starts console export when the command line asks for it; dispose the result to flush before exit.</summary>
    /// <param name="options">The command line.</param>
    /// <returns>The providers to dispose, or <see langword="null"/> without the flag.</returns>
    public static IDisposable? Start(QuickStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.OtelConsole)
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
