using System.Diagnostics.Metrics;

namespace ARuntime.Sdk.Tests.Observability.Support;

/// <summary>
/// An <see cref="IMeterFactory"/> of one test: meters it creates carry it as their scope, so a listener can take the
/// measurements of that test's runtime only, whatever else runs in the process.
/// </summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> meters = [];
    private readonly Lock gate = new();

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (gate)
        {
            meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var meter in meters)
            {
                meter.Dispose();
            }

            meters.Clear();
        }
    }
}
