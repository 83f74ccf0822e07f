using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ARuntime.Sdk.Telemetry;

namespace ARuntime.Sdk.Tests.Observability.Support;

/// <summary>
/// Captures the runtime's activities and measurements in-process. Activity listeners are process-wide, so tests read the
/// activities of their own trace (<see cref="Trace"/>); the meter listener takes only meters scoped to this capture's
/// <see cref="MeterFactory"/>, which the test registers in its runtime.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly ActivityListener activityListener;
    private readonly MeterListener meterListener;
    private readonly ConcurrentQueue<Activity> stopped = new();
    private readonly ConcurrentQueue<Instrument> instruments = new();
    private readonly ConcurrentQueue<CapturedMeasurement> measurements = new();

    public TelemetryCapture(ActivitySamplingResult sampling = ActivitySamplingResult.AllDataAndRecorded)
    {
        activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ARuntimeDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);

        meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, MeterFactory))
                {
                    instruments.Enqueue(instrument);
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue(new CapturedMeasurement(instrument, value, tags.ToArray())));
        meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Enqueue(new CapturedMeasurement(instrument, value, tags.ToArray())));
        meterListener.Start();
    }

    /// <summary>Gets the meter factory to register in the runtime under test.</summary>
    public TestMeterFactory MeterFactory { get; } = new();

    /// <summary>Gets the instruments the runtime's meter published.</summary>
    public IReadOnlyList<Instrument> Instruments => [.. instruments];

    /// <summary>Returns the stopped activities of one trace, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Trace(string traceId) => [.. stopped.Where(a => a.TraceId.ToHexString() == traceId)];

    /// <summary>Gets every measurement taken.</summary>
    public IReadOnlyList<CapturedMeasurement> AllMeasurements => [.. measurements];

    /// <summary>Returns the measurements of one instrument.</summary>
    public IReadOnlyList<CapturedMeasurement> Measurements(string instrument) => [.. measurements.Where(m => m.Instrument.Name == instrument)];

    public void Dispose()
    {
        activityListener.Dispose();
        meterListener.Dispose();
        MeterFactory.Dispose();
    }
}

/// <summary>One measurement with its instrument and attributes.</summary>
internal sealed record CapturedMeasurement(Instrument Instrument, double Value, KeyValuePair<string, object?>[] Tags)
{
    public object? Tag(string key) => Tags.FirstOrDefault(t => t.Key == key).Value;

    public bool Has(string key, object? value) => Tags.Any(t => t.Key == key && Equals(t.Value, value));
}
