using System.Diagnostics;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

public sealed class BatchingTests
{
    private static readonly string[] Prompts =
    [
        "Once upon a time",
        "The little dog ran to the park",
        "Tom and Sue found a big red ball in the garden and",
        "One day",
        "The sun was hot and the bird sang a song",
        "Lily wanted to play",
    ];

    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task ConcurrentGreedyRequests_GiveTheSameTextAsOneByOne(string model)
    {
        var path = TestEngines.Resolve(model);
        var sequential = new List<string>();
        await using (var engine = TestEngines.Create(path, o => o.MaxSequences = 1))
        {
            foreach (var prompt in Prompts)
            {
                sequential.Add((await engine.InferAsync(TestEngines.Request(prompt, maxTokens: 40))).Text);
            }
        }

        await using var batched = TestEngines.Create(path, o => o.MaxSequences = 4);
        await batched.LoadAsync();
        var concurrent = await Task.WhenAll(Prompts.Select(p => batched.InferAsync(TestEngines.Request(p, maxTokens: 40))));

        Assert.That(concurrent.Select(r => r.Text), Is.EqualTo(sequential));
    }

    [Test]
    public async Task A_burst_of_concurrent_requests_is_prefilled_in_one_decode()
    {
        // The widest window, so that a loaded CI machine pausing the submitting thread between two requests cannot split
        // the burst; the default (200 us) is sized for a thread submitting requests back to back.
        await using var engine = TestEngines.Create(TestEngines.HolderModel, o =>
        {
            o.MaxSequences = 4;
            o.AdmissionGatherWindow = TimeSpan.FromMilliseconds(10);
        });
        await engine.LoadAsync();
        await engine.InferAsync(TestEngines.Request("warm up", maxTokens: 2));
        var decodesBefore = engine.GetStatistics().Decodes;
        const int Tokens = 6;
        var prompts = new[] { "Once upon a time", "The little dog", "Tom and Sue found", "One day the sun" };

        // The requests arrive 1 ms apart, from a thread of their own (a spinning thread-pool thread could delay the
        // scheduler's own continuation and gather the burst by accident): without the gather window the first would be
        // prefilled alone.
        var pending = new List<Task<InferenceResult>>();
        var longestGap = TimeSpan.Zero;
        var submitter = new Thread(() =>
        {
            var previous = 0L;
            foreach (var prompt in prompts)
            {
                if (previous != 0)
                {
                    var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 1000);
                    while (Stopwatch.GetTimestamp() < until)
                    {
                        Thread.SpinWait(50);
                    }
                }

                var started = Stopwatch.GetTimestamp();
                if (previous != 0 && Stopwatch.GetElapsedTime(previous, started) > longestGap)
                {
                    longestGap = Stopwatch.GetElapsedTime(previous, started);
                }

                previous = started;
                pending.Add(engine.InferAsync(TestEngines.Request(prompt, maxTokens: Tokens)));
            }
        });
        submitter.Start();
        submitter.Join();

        var results = await Task.WhenAll(pending);
        if (longestGap > TimeSpan.FromMilliseconds(8))
        {
            // The precondition did not hold: the machine paused this thread for most of the window between two arrivals.
            Assert.Inconclusive($"the submitting thread stalled for {longestGap.TotalMilliseconds:F1} ms between two requests");
        }

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Usage.GeneratedTokens), Is.All.EqualTo(Tokens), "equal work for every request");
            Assert.That(engine.GetStatistics().Decodes - decodesBefore, Is.EqualTo(Tokens), "one decode prefilled all four prompts, then one per token for all four together");
        });
    }

    [Test]
    public async Task FullQueue_RejectsWithOverloaded()
    {
        await using var engine = TestEngines.Create(TestEngines.HolderModel, o =>
        {
            o.MaxSequences = 1;
            o.MaxQueueLength = 1;
        });
        using var cts = new CancellationTokenSource();
        await using var running = engine.InferStreamingAsync(TestEngines.Request("Once upon a time", maxTokens: 900), cts.Token).GetAsyncEnumerator();
        Assert.That(await running.MoveNextAsync(), Is.True);
        var queued = engine.InferAsync(TestEngines.Request("second", maxTokens: 2), cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(engine.GetStatistics().QueueLength, Is.EqualTo(1), "the second request waits");
            Assert.That(engine.GetStatistics().ActiveSequences, Is.EqualTo(1), "the first request holds the only sequence");
        });

        var error = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(TestEngines.Request("third", maxTokens: 2)));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Kind, Is.EqualTo(InferenceFailureKind.Overloaded));
            Assert.That(error.IsTransient, Is.True, "the runtime may route elsewhere or retry");
            Assert.That(error.Message, Does.Contain("overloaded"));
        });
        await cts.CancelAsync();
        Assert.That((await queued).StopReason, Is.EqualTo(StopReason.Cancelled));
    }

    [Test]
    public async Task KvCacheExhaustion_PausesAndResumesSequencesWithoutChangingTheirOutput()
    {
        var path = TestEngines.TinyModel;
        var requests = Prompts.Take(4).Select(p => TestEngines.Request(p, maxTokens: 120)).ToList();
        var alone = new List<InferenceResult>();
        await using (var roomy = TestEngines.Create(path, o => o.PrefixCacheBytes = 0))
        {
            foreach (var request in requests)
            {
                alone.Add(await roomy.InferAsync(request));
            }
        }

        // 4 sequences of up to ~135 tokens each cannot all fit in 256 cells at once.
        await using var tight = TestEngines.Create(path, o =>
        {
            o.ContextSize = 256;
            o.MaxSequences = 4;
            o.PrefixCacheBytes = 0;
        });
        await tight.LoadAsync();
        var squeezed = await Task.WhenAll(requests.Select(r => tight.InferAsync(r)));

        Assert.Multiple(() =>
        {
            Assert.That(tight.GetStatistics().Preemptions, Is.GreaterThan(0), "the KV cache ran out");
            Assert.That(tight.GetStatistics().ContextRebuilds, Is.Zero, "llama_decode never hit NoKvSlot");
            Assert.That(squeezed.Select(r => r.Text), Is.EqualTo(alone.Select(r => r.Text)));
            Assert.That(squeezed.Select(r => r.StopReason), Is.EqualTo(alone.Select(r => r.StopReason)));
        });
    }

    [Test]
    public async Task OutputReachingTheContextSize_EndsWithMaxTokens()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel, o => o.ContextSize = 64);

        var result = await engine.InferAsync(TestEngines.Request("Once upon a time", maxTokens: 500));

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.AnyOf(StopReason.MaxTokens, StopReason.EndOfSequence));
            // Every token but the last one sampled occupies a KV cell.
            Assert.That(result.Usage.PromptTokens + result.Usage.GeneratedTokens - 1, Is.LessThanOrEqualTo(64));
        });
    }

    [Test]
    public async Task PromptLongerThanTheContext_GivesContextOverflow()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel, o => o.ContextSize = 64);

        var error = await Assert.ThrowsAsync<InferenceException>(() =>
            engine.InferAsync(TestEngines.Request(string.Join(' ', Enumerable.Repeat("word", 200)))));

        Assert.That(error!.Kind, Is.EqualTo(InferenceFailureKind.ContextOverflow));
    }

    [Test]
    public async Task Admission_IsRoundRobinAcrossTenants()
    {
        await using var engine = TestEngines.Create(TestEngines.HolderModel, o => o.MaxSequences = 1);
        using var holdCts = new CancellationTokenSource();
        await using var holder = engine.InferStreamingAsync(Tenant("a", "hold", 900), holdCts.Token).GetAsyncEnumerator();
        Assert.That(await holder.MoveNextAsync(), Is.True);
        var order = new List<string>();

        async Task Run(string tenant, string name)
        {
            await engine.InferAsync(Tenant(tenant, name, 3));
            lock (order)
            {
                order.Add(name);
            }
        }

        var runs = new[] { Run("a", "a2"), Run("a", "a3"), Run("a", "a4"), Run("b", "b1") };
        await holdCts.CancelAsync();
        await Task.WhenAll(runs);

        Assert.That(order, Is.EqualTo(new[] { "a2", "b1", "a3", "a4" }));
    }

    [Test]
    public async Task ToolsAndContract_AreRenderedIntoThePrompt()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var plain = await engine.InferAsync(TestEngines.Request("weather?", system: "You help.", maxTokens: 1));
        var tool = new ToolDescriptor
        {
            Name = "get_weather",
            Description = "Gets the weather.",
            InputSchema = System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement,
            PermissionClass = "weather.read",
            SideEffect = SideEffectClass.None,
        };

        var withTools = await engine.InferAsync(TestEngines.Request("weather?", system: "You help.", maxTokens: 1) with { Tools = [tool] });

        Assert.That(withTools.Usage.PromptTokens, Is.GreaterThan(plain.Usage.PromptTokens + 10));
    }

    private static InferenceRequest Tenant(string tenant, string name, int maxTokens) =>
        TestEngines.Request("request " + name, maxTokens: maxTokens) with { TenantId = tenant, RequestId = name };
}
