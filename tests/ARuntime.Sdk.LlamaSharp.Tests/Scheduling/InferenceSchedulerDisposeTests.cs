using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Loading;
using ARuntime.Sdk.LlamaSharp.Scheduling;
using ARuntime.Sdk.LlamaSharp.Telemetry;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using LLama.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace ARuntime.Sdk.LlamaSharp.Tests.Scheduling;

/// <summary>Requests submitted while the scheduler is disposed all end: none is queued after the queue was drained.</summary>
public sealed class InferenceSchedulerDisposeTests
{
    private const int Iterations = 300;
    private const int Submitters = 8;

    // Generous: every job ends within milliseconds of the dispose; only a lost one waits this long.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private LlamaSharpEngineOptions options = null!;
    private LoadedModel model = null!;
    private LlamaSharpTelemetry telemetry = null!;
    private LLamaToken[] prompt = null!;

    [OneTimeSetUp]
    public async Task LoadModel()
    {
        options = TestEngines.Options(TestEngines.TinyModel);
        options.MaxOutputTokens = 2;
        options.MaxQueueLength = 10_000;
        model = await ModelLoader.LoadAsync(options, "test", NullLogger.Instance, NullLogger.Instance, new MonotonicProgress(null), CancellationToken.None);
        telemetry = new LlamaSharpTelemetry(null, "test", () => 0, () => 0, () => 0);
        prompt = model.Weights.Tokenize("hello", model.Weights.Vocab.ShouldAddBOS, false, Encoding.UTF8);
    }

    [OneTimeTearDown]
    public void Unload()
    {
        telemetry?.Dispose();
        model?.Dispose();
    }

    [Test]
    public async Task SubmitConcurrentWithDispose_EveryAcceptedJobEnds()
    {
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var scheduler = new InferenceScheduler(model, options, NullLogger.Instance, TimeProvider.System, telemetry);
            scheduler.Start();
            using var start = new Barrier(Submitters + 1);
            using var callers = new CancellationTokenSource();
            var accepted = new List<InferenceJob>[Submitters];
            var submitters = new Task[Submitters];
            for (var s = 0; s < Submitters; s++)
            {
                var mine = accepted[s] = [];
                submitters[s] = Task.Factory.StartNew(
                    () => SubmitUntilDisposed(scheduler, start, mine, callers.Token),
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default);
            }

            // Dispose while every submitter is in its loop (they start together; the spin varies where each one is).
            start.SignalAndWait();
            Thread.SpinWait((iteration % 64) * 50);
            await scheduler.DisposeAsync().AsTask().WaitAsync(Timeout);
            await Task.WhenAll(submitters).WaitAsync(Timeout);

            var jobs = accepted.SelectMany(j => j).ToList();
            var ends = jobs.Select(End).ToList();
            try
            {
                await Task.WhenAll(ends).WaitAsync(Timeout);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Iteration {iteration}: {ends.Count(e => !e.IsCompleted)} of {jobs.Count} accepted jobs never ended (queued after the dispose drained the queue).");
            }

            Assert.That(ends.Select(e => e.Result), Is.All.True, $"iteration {iteration}: every job ends with a result or a typed error");
        }
    }

    private void SubmitUntilDisposed(InferenceScheduler scheduler, Barrier start, List<InferenceJob> accepted, CancellationToken cancellationToken)
    {
        // A caller's token and a deadline, as real requests have: the job links both when it is submitted.
        var deadline = TimeProvider.System.GetUtcNow().AddHours(1);
        start.SignalAndWait(CancellationToken.None);
        while (true)
        {
            var job = new InferenceJob(
                scheduler.NextJobId(),
                new InferenceRequest { Messages = [AgentMessage.User("hello")], Sampling = SamplingOptions.Greedy, Deadline = deadline },
                prompt,
                0,
                2,
                [],
                null,
                TimeProvider.System.GetTimestamp(),
                streaming: false);
            try
            {
                scheduler.Submit(job, cancellationToken);
                accepted.Add(job);
            }
            catch (InferenceException rejected) when (rejected.Kind == InferenceFailureKind.Overloaded)
            {
                // Refused with a typed error: it ended.
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    /// <summary>Reads a job to its end: whether it ended with a result or an <see cref="InferenceException"/>.</summary>
    private static async Task<bool> End(InferenceJob job)
    {
        try
        {
            InferenceResult? result = null;
            await foreach (var update in job.Updates.ReadAllAsync(CancellationToken.None))
            {
                result = update.Result ?? result;
            }

            return result is not null;
        }
        catch (InferenceException)
        {
            return true;
        }
    }
}
