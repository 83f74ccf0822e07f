using System.Diagnostics.Metrics;

namespace ARuntime.Sdk.SqlCipher;

/// <summary>The store's meter (<c>ARuntime.Sdk.SqlCipher</c>): committed writes, commit duration, failed commits, lost acknowledged records.</summary>
internal static class StoreTelemetry
{
    public const string MeterName = "ARuntime.Sdk.SqlCipher";

    private static readonly Meter Meter = new(MeterName, typeof(StoreTelemetry).Assembly.GetName().Version?.ToString());

    public static Counter<long> CommittedWrites { get; } = Meter.CreateCounter<long>("aruntime.store.writes.committed", "{write}", "Writes committed by the store's group-commit writer.");

    public static Histogram<double> CommitDuration { get; } = Meter.CreateHistogram<double>("aruntime.store.commit.duration", "s", "Duration of one group commit.");

    public static Counter<long> FailedCommits { get; } = Meter.CreateCounter<long>("aruntime.store.commits.failed", "{commit}", "Batches that could not be committed after retries.");

    public static Counter<long> LostAcknowledged { get; } = Meter.CreateCounter<long>("aruntime.store.evidence.lost", "{record}", "Evidence records acknowledged on enqueue that could not be written.");
}
