using System.Diagnostics.Metrics;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

/// <summary>
/// A host's metrics listener that throws (a buggy exporter, say) must not fail, lose or hang a request: the engine's
/// measurements are recorded on its scheduler loop, where an exception used to fail every active request, and a request
/// taken off the queue before the throw never completed.
/// </summary>
public sealed class ThrowingTelemetryListenerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task ThrowingMetricsListener_DoesNotFailTheInference()
    {
        using var meters = new TestMeterFactory();
        using var listener = ThrowingListener(meters);
        await using var engine = new LlamaSharpEngine(Options(TestEngines.TinyModel), "test", meterFactory: meters);

        var result = await engine.InferAsync(TestEngines.Request("hello", maxTokens: 4)).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(result.Usage.GeneratedTokens, Is.GreaterThan(0));
            Assert.That(engine.GetStatistics().ContextRebuilds, Is.Zero, "the listener's exception did not reach the scheduler loop");
        });
    }

    [Test]
    public async Task ActivityListenerThrowingAsTheSpanStarts_DoesNotFailTheInference()
    {
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == ARuntime.Sdk.LlamaSharp.Telemetry.LlamaSharpTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _ => throw new InvalidOperationException("exporter failed"),
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await using var engine = new LlamaSharpEngine(Options(TestEngines.TinyModel), "test");

        var result = await engine.InferAsync(TestEngines.Request("hello", maxTokens: 4)).WaitAsync(Bound);

        Assert.That(result.Usage.GeneratedTokens, Is.GreaterThan(0));
    }

    [Test]
    public async Task ThrowingMetricsListener_DoesNotHangARequestCancelledWhileQueued()
    {
        using var meters = new TestMeterFactory();
        using var listener = ThrowingListener(meters);
        await using var engine = new LlamaSharpEngine(Options(TestEngines.HolderModel, o => o.MaxSequences = 1), "test", meterFactory: meters);
        using var holdCts = new CancellationTokenSource();
        await using var holder = engine.InferStreamingAsync(TestEngines.Request("Once upon a time", maxTokens: 900), holdCts.Token).GetAsyncEnumerator();
        Assert.That(await holder.MoveNextAsync(), Is.True);

        using var queuedCts = new CancellationTokenSource();
        var queued = engine.InferAsync(TestEngines.Request("waiting"), queuedCts.Token);
        Assert.That(engine.GetStatistics().QueueLength, Is.EqualTo(1));
        await queuedCts.CancelAsync();
        var result = await queued.WaitAsync(Bound);

        await holdCts.CancelAsync();
        InferenceResult? held = null;
        while (await holder.MoveNextAsync().AsTask().WaitAsync(Bound))
        {
            held = holder.Current.Result ?? held;
        }

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StopReason.Cancelled));
            Assert.That(held?.StopReason, Is.EqualTo(StopReason.Cancelled), "the running request was not failed by the listener");
        });
    }

    [Test]
    public async Task ThrowingMetricsListener_StillGivesOverloadedWhenTheQueueIsFull()
    {
        using var meters = new TestMeterFactory();
        using var listener = ThrowingListener(meters);
        await using var engine = new LlamaSharpEngine(Options(TestEngines.HolderModel, o => (o.MaxSequences, o.MaxQueueLength) = (1, 0)), "test", meterFactory: meters);
        using var holdCts = new CancellationTokenSource();
        await using var holder = engine.InferStreamingAsync(TestEngines.Request("Once upon a time", maxTokens: 900), holdCts.Token).GetAsyncEnumerator();
        Assert.That(await holder.MoveNextAsync(), Is.True);

        var error = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(TestEngines.Request("one too many")));

        Assert.That(error!.Kind, Is.EqualTo(InferenceFailureKind.Overloaded));
        await holdCts.CancelAsync();
    }

    private static LlamaSharpEngineOptions Options(string model, Action<LlamaSharpEngineOptions>? configure = null)
    {
        var options = TestEngines.Options(model);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Listens to the meters of <paramref name="factory"/> only (other tests' engines are unaffected) and throws on every measurement.</summary>
    private static MeterListener ThrowingListener(TestMeterFactory factory)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (factory.Created.Contains(instrument.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("exporter failed"));
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("exporter failed"));
        listener.Start();
        return listener;
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            lock (Created)
            {
                Created.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
