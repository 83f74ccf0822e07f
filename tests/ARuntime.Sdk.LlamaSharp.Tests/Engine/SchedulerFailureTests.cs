using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Scheduling;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

/// <summary>When the scheduler cannot recover from a failure, every request ends with a typed error instead of waiting forever.</summary>
public sealed class SchedulerFailureTests
{
    // Generous: each wait is for something that happens within milliseconds; only a hang reaches it.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task DecodeFailure_WithAHostLoggerThrowingOnTheRebuildLine_IsStillRecovered()
    {
        // The rebuild's warning (event 22) goes to the host's logger; a sink failing on it must not turn a recoverable
        // decode failure into a scheduler that stops for good.
        using var loggers = new EventThrowingLoggerFactory(22);
        var faults = new SchedulerFaults();
        var options = TestEngines.Options(TestEngines.TinyModel);
        await using var engine = new LlamaSharpEngine(options, "test", loggers) { Faults = faults };
        await engine.LoadAsync();
        var failOnce = 1;
        faults.BeforeDecode = () => Interlocked.Exchange(ref failOnce, 0) == 1 ? DecodeResult.DecodeFailed : null;

        var resumed = await engine.InferAsync(TestEngines.Request("first", maxTokens: 4)).WaitAsync(Timeout);
        var after = await engine.InferAsync(TestEngines.Request("second", maxTokens: 4)).WaitAsync(Timeout);

        Assert.Multiple(() =>
        {
            Assert.That(engine.GetStatistics().ContextRebuilds, Is.EqualTo(1), "the decode failure happened and the context was rebuilt");
            Assert.That(resumed.Usage.GeneratedTokens, Is.GreaterThan(0));
            Assert.That(after.Usage.GeneratedTokens, Is.GreaterThan(0));
        });
    }

    [TestCase(false, TestName = "DecodeThrows_AndRebuildFails_QueuedAndLaterRequestsFindTheModelUnavailable")]
    [TestCase(true, TestName = "DecodeFails_AndRebuildFails_QueuedAndLaterRequestsFindTheModelUnavailable")]
    public async Task RebuildFailure_EndsEveryRequest(bool decodeReturnsError)
    {
        var faults = new SchedulerFaults();
        var options = TestEngines.Options(TestEngines.TinyModel);
        options.MaxSequences = 1;
        await using var engine = new LlamaSharpEngine(options, "test") { Faults = faults };
        await engine.LoadAsync();
        var healthy = await engine.InferAsync(TestEngines.Request("before", maxTokens: 2)).WaitAsync(Timeout);
        Assert.That(healthy.StopReason, Is.Not.EqualTo(StopReason.Error), "the engine works before the fault");

        // The first decode blocks until more requests wait behind it, then fails; the context cannot be created again.
        var decoding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        faults.BeforeDecode = () =>
        {
            decoding.TrySetResult();
            release.Task.Wait(Timeout);
            return decodeReturnsError ? DecodeResult.DecodeFailed : throw new InvalidOperationException("injected decode failure");
        };
        faults.BeforeCreateContext = () => throw new LLama.Exceptions.RuntimeError("injected: out of memory creating the context");

        var inFlight = engine.InferAsync(TestEngines.Request("in flight", maxTokens: 4));
        await decoding.Task.WaitAsync(Timeout);
        var queued = Enumerable.Range(0, 3).Select(i => engine.InferAsync(TestEngines.Request($"queued {i}", maxTokens: 4))).ToList();
        Assert.That(engine.GetStatistics().QueueLength, Is.EqualTo(3), "the requests wait behind the failing decode");
        release.SetResult();

        // A decode that throws fails the sequences it held there and then (EngineError); one that reports a failure leaves
        // them to be resumed after the rebuild. Once the rebuild fails, every request left finds the model gone from this
        // engine (ModelUnavailable: the runtime falls back along the route instead of retrying this deployment).
        var inFlightError = await Assert.ThrowsAsync<InferenceException>(() => inFlight.WaitAsync(Timeout));
        Assert.That(inFlightError!.Kind, Is.EqualTo(decodeReturnsError ? InferenceFailureKind.ModelUnavailable : InferenceFailureKind.EngineError));
        foreach (var request in queued)
        {
            var error = await Assert.ThrowsAsync<InferenceException>(() => request.WaitAsync(Timeout));
            Assert.That(error!.Kind, Is.EqualTo(InferenceFailureKind.ModelUnavailable));
        }

        // A request after the scheduler stopped fails at once and says why.
        var later = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(TestEngines.Request("after", maxTokens: 2)).WaitAsync(Timeout));
        Assert.Multiple(() =>
        {
            Assert.That(later!.Kind, Is.EqualTo(InferenceFailureKind.ModelUnavailable));
            Assert.That(later.Message, Does.Contain("stopped").And.Contain("could not create a context"));
        });

        var streamed = await Assert.ThrowsAsync<InferenceException>(async () =>
        {
            await foreach (var update in engine.InferStreamingAsync(TestEngines.Request("after, streaming", maxTokens: 2)).WithCancellation(CancellationToken.None))
            {
                _ = update;
            }
        });
        Assert.That(streamed!.Kind, Is.EqualTo(InferenceFailureKind.ModelUnavailable));
    }

    private sealed class EventThrowingLoggerFactory(int eventId) : Microsoft.Extensions.Logging.ILoggerFactory
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new EventThrowingLogger(eventId);

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class EventThrowingLogger(int eventId) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (id.Id == eventId)
            {
                throw new InvalidOperationException("log sink failed");
            }
        }
    }
}
