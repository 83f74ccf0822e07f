using System.Diagnostics;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;

namespace ARuntime.Sdk.Telemetry;

/// <summary>
/// Measures the registered evidence sink: the latency of every write (to the durability it asked for) and flush, and the
/// writes and flushes that failed. The runtime wraps whatever sink the host registered; behaviour is unchanged, exceptions
/// pass through.
/// </summary>
internal sealed class InstrumentedEvidenceSink(IEvidenceSink innerSink, RuntimeTelemetry telemetry) : DelegatingEvidenceSink(innerSink)
{
    public override async ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default)
    {
        var started = telemetry.Time.GetTimestamp();
        var tags = new TagList
        {
            { SemanticConventions.EvidenceDurabilityKey, TelemetryValues.Snake(durability) },
            { SemanticConventions.EvidenceKind, record?.Kind },
        };
        try
        {
            await InnerSink.WriteAsync(record!, durability, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Fail(ex, cancellationToken, ref tags))
        {
            throw;
        }
        finally
        {
            telemetry.EvidenceWriteDuration.Record(telemetry.Time.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var started = telemetry.Time.GetTimestamp();
        var tags = default(TagList);
        try
        {
            await InnerSink.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Fail(ex, cancellationToken, ref tags, "flush"))
        {
            throw;
        }
        finally
        {
            telemetry.EvidenceFlushDuration.Record(telemetry.Time.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>Counts the failure (never a cancellation the caller asked for) and adds its type to the tags; never catches.</summary>
    private bool Fail(Exception exception, CancellationToken cancellationToken, ref TagList tags, string operation = "write")
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        tags.Add(SemanticConventions.ErrorType, exception.GetType().FullName ?? exception.GetType().Name);
        var failure = tags;
        failure.Add(SemanticConventions.EvidenceOperation, operation);
        telemetry.EvidenceWriteFailures.Add(1, failure);
        return false;
    }
}
