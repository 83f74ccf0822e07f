using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

public sealed class CancellationAndDeadlineTests
{
    private const int LongOutput = 900;

    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task Cancel_MidDecode_StopsWithCancelledAndFreesTheSequence(string model)
    {
        await using var engine = TestEngines.Create(MidDecodeModel(model));
        using var cts = new CancellationTokenSource();
        var deltas = 0;
        InferenceResult? result = null;

        await foreach (var update in engine.InferStreamingAsync(LongRequest(), cts.Token))
        {
            if (update.Text.Length > 0 && ++deltas == 3)
            {
                await cts.CancelAsync();
            }

            result = update.Result ?? result;
        }

        Assert.Multiple(() =>
        {
            Assert.That(result!.StopReason, Is.EqualTo(StopReason.Cancelled));
            Assert.That(result.Usage.GeneratedTokens, Is.LessThan(LongOutput));
            Assert.That(result.Text, Is.Not.Empty, "the text generated before cancellation is returned");
        });
        await AssertEngineIsIdleAndWorks(engine);
    }

    [Test]
    public async Task Cancel_BeforeSubmission_ReturnsCancelledWithoutGenerating()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var result = await engine.InferAsync(LongRequest(), cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StopReason.Cancelled));
            Assert.That(result.Usage.GeneratedTokens, Is.Zero);
        });
    }

    [Test]
    public async Task AbandonedStream_StopsTheInferenceAndFreesTheSequence()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);

        await foreach (var update in engine.InferStreamingAsync(LongRequest()))
        {
            if (update.Text.Length > 0)
            {
                break;
            }
        }

        await AssertEngineIsIdleAndWorks(engine);
    }

    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task Deadline_PassingMidDecode_StopsWithDeadline(string model)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var engine = TestEngines.Create(MidDecodeModel(model), timeProvider: clock);
        var request = LongRequest() with { Deadline = clock.GetUtcNow().AddSeconds(30) };
        InferenceResult? result = null;
        var advanced = false;

        await foreach (var update in engine.InferStreamingAsync(request))
        {
            if (update.Text.Length > 0 && !advanced)
            {
                advanced = true;
                clock.Advance(TimeSpan.FromSeconds(31));
            }

            result = update.Result ?? result;
        }

        Assert.Multiple(() =>
        {
            Assert.That(result!.StopReason, Is.EqualTo(StopReason.Deadline));
            Assert.That(result.Usage.GeneratedTokens, Is.LessThan(LongOutput));
            Assert.That(result.Usage.Duration, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(31)), "durations are measured with the injected clock");
        });
        await AssertEngineIsIdleAndWorks(engine);
    }

    [Test]
    public async Task Deadline_AlreadyPassed_ReturnsDeadlineWithoutGenerating()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var engine = TestEngines.Create(TestEngines.TinyModel, timeProvider: clock);

        var result = await engine.InferAsync(LongRequest() with { Deadline = clock.GetUtcNow().AddSeconds(-1) });

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StopReason.Deadline));
            Assert.That(result.Usage.GeneratedTokens, Is.Zero);
        });
    }

    [Test]
    public async Task Deadline_PassingWhileQueued_EndsTheRequestWithoutAdmittingIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var engine = TestEngines.Create(TestEngines.HolderModel, o => o.MaxSequences = 1, clock);
        using var holdCts = new CancellationTokenSource();
        await using var holder = engine.InferStreamingAsync(LongRequest(), holdCts.Token).GetAsyncEnumerator();
        await MoveToFirstText(holder);

        var queued = engine.InferAsync(TestEngines.Request("waiting") with { Deadline = clock.GetUtcNow().AddSeconds(10) });
        Assert.That(engine.GetStatistics().QueueLength, Is.EqualTo(1));
        clock.Advance(TimeSpan.FromSeconds(11));
        var result = await queued;

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StopReason.Deadline));
            Assert.That(result.Usage.GeneratedTokens, Is.Zero);
            Assert.That(result.Usage.QueueWait, Is.EqualTo(result.Usage.Duration));
        });
        await holdCts.CancelAsync();
    }

    [Test]
    public async Task FarDeadline_IsAccepted()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);

        var result = await engine.InferAsync(TestEngines.Request("hello", maxTokens: 3) with { Deadline = DateTimeOffset.UtcNow.AddYears(5) });

        Assert.That(result.StopReason, Is.Not.EqualTo(StopReason.Deadline));
    }

    [Test]
    public async Task CancellationStorm_LeavesTheEngineConsistent()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel, o => o.MaxSequences = 4);
        var reference = await engine.InferAsync(TestEngines.Request("The reference prompt", maxTokens: 24));
        var random = new Random(1234);

        // Cancellations land at arbitrary points: queued, mid-prefill, mid-decode (aborting llama_decode), between steps.
        var tasks = Enumerable.Range(0, 16).Select(async i =>
        {
            using var cts = new CancellationTokenSource();
            cts.CancelAfter(TimeSpan.FromMilliseconds(random.Next(0, 40)));
            var prompt = string.Join(' ', Enumerable.Repeat("story number " + i, 1 + ((i % 5) * 8)));
            return await engine.InferAsync(TestEngines.Request(prompt, maxTokens: 200), cts.Token);
        }).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.That(results.Select(r => r.StopReason), Is.All.AnyOf(StopReason.Cancelled, StopReason.MaxTokens, StopReason.EndOfSequence));
        var after = await engine.InferAsync(TestEngines.Request("The reference prompt", maxTokens: 24));
        Assert.That(after.Text, Is.EqualTo(reference.Text), "no KV cells leaked into the next sequence");
        var statistics = engine.GetStatistics();
        TestContext.Out.WriteLine($"aborted decodes: {statistics.AbortedDecodes}, preemptions: {statistics.Preemptions}, rebuilds: {statistics.ContextRebuilds}");
        Assert.Multiple(() =>
        {
            Assert.That(statistics.ActiveSequences, Is.Zero);
            Assert.That(statistics.ContextRebuilds, Is.Zero, "no decode failed");
        });
    }

    [Test]
    public async Task DisposingTheEngine_FailsInFlightRequestsWithModelUnavailable()
    {
        var engine = TestEngines.Create(TestEngines.HolderModel, o => o.MaxSequences = 1);
        await using var running = engine.InferStreamingAsync(LongRequest()).GetAsyncEnumerator();
        await MoveToFirstText(running);
        var queued = engine.InferAsync(LongRequest());

        await engine.DisposeAsync();

        var error = await Assert.ThrowsAsync<InferenceException>(async () =>
        {
            while (await running.MoveNextAsync())
            {
            }
        });
        var queuedError = await Assert.ThrowsAsync<InferenceException>(() => queued);
        Assert.Multiple(() =>
        {
            Assert.That(error!.Kind, Is.EqualTo(InferenceFailureKind.ModelUnavailable));
            Assert.That(queuedError!.Kind, Is.EqualTo(InferenceFailureKind.ModelUnavailable));
        });
        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.InferAsync(LongRequest()));
    }

    // Streamed deltas are buffered, so on a loaded machine the tiny synthetic model can finish all its tokens before the
    // test has read three of them; the 5M model takes seconds for them.
    private static string MidDecodeModel(string model) => model == "synthetic" ? TestEngines.HolderModel : TestEngines.Resolve(model);

    private static InferenceRequest LongRequest() => TestEngines.Request("Once upon a time", maxTokens: LongOutput);

    private static async Task MoveToFirstText(IAsyncEnumerator<InferenceUpdate> stream)
    {
        while (await stream.MoveNextAsync())
        {
            if (stream.Current.Text.Length > 0)
            {
                return;
            }
        }

        Assert.Fail("the stream ended before producing text");
    }

    private static async Task AssertEngineIsIdleAndWorks(LlamaSharpEngine engine)
    {
        var next = await engine.InferAsync(TestEngines.Request("hello again", maxTokens: 4));
        Assert.Multiple(() =>
        {
            Assert.That(next.Usage.GeneratedTokens, Is.GreaterThan(0));
            Assert.That(engine.GetStatistics().ActiveSequences, Is.Zero, "every KV sequence was released");
        });
    }
}
