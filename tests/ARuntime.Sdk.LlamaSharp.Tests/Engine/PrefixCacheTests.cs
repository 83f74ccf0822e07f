using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

public sealed class PrefixCacheTests
{
    private static readonly string System =
        "You are a careful storyteller for small children. Stories are short, kind and simple. " +
        "Every story has a little dog named Max, a red ball and a happy ending. Never use hard words. " +
        "Write in the past tense and keep each sentence short.";

    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task SharedSystemPrompt_IsRestoredFromTheCache_AndGivesTheSameOutputAsAMiss(string model)
    {
        var path = TestEngines.Resolve(model);
        var second = TestEngines.Request("Tell me about the park.", System, maxTokens: 30);

        InferenceResult miss;
        await using (var cold = TestEngines.Create(path))
        {
            miss = await cold.InferAsync(second);
        }

        await using var warm = TestEngines.Create(path);
        var first = await warm.InferAsync(TestEngines.Request("Tell me about the sea.", System, maxTokens: 30));
        var hit = await warm.InferAsync(second);
        var statistics = warm.GetStatistics();

        Assert.Multiple(() =>
        {
            Assert.That(first.Usage.CachedPromptTokens, Is.Zero);
            Assert.That(miss.Usage.CachedPromptTokens, Is.Zero);
            Assert.That(hit.Usage.CachedPromptTokens, Is.GreaterThanOrEqualTo(32));
            Assert.That(hit.Usage.CachedPromptTokens, Is.LessThan(hit.Usage.PromptTokens));
            Assert.That(statistics.PrefixCacheHits, Is.EqualTo(1));
            Assert.That(statistics.PrefixCacheEntries, Is.GreaterThan(0));
            Assert.That(hit.Text, Is.EqualTo(miss.Text));
        });
    }

    [Test]
    public async Task CacheDisabled_GivesTheSameOutput()
    {
        var request = TestEngines.Request("Tell me about the park.", System, maxTokens: 30);
        await using var cached = TestEngines.Create(TestEngines.TinyModel);
        await cached.InferAsync(TestEngines.Request("Tell me about the sea.", System, maxTokens: 30));
        var hit = await cached.InferAsync(request);
        await using var uncached = TestEngines.Create(TestEngines.TinyModel, o => o.PrefixCacheBytes = 0);

        var plain = await uncached.InferAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(hit.Usage.CachedPromptTokens, Is.GreaterThan(0));
            Assert.That(plain.Text, Is.EqualTo(hit.Text));
            Assert.That(uncached.GetStatistics().PrefixCacheEntries, Is.Zero);
        });
    }

    [Test]
    public async Task FollowUpTurn_ReusesThePreviousTurnsKvState()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var turn1 = TestEngines.Request("Tell me about the park.", System, maxTokens: 20);
        var answer = await engine.InferAsync(turn1);
        var systemOnly = await engine.InferAsync(TestEngines.Request("Something else entirely.", System, maxTokens: 1));

        var turn2 = turn1 with { Messages = [.. turn1.Messages, AgentMessage.Assistant(answer.Text), AgentMessage.User("And then?")] };
        var followUp = await engine.InferAsync(turn2);
        await using var fresh = TestEngines.Create(TestEngines.TinyModel, o => o.PrefixCacheBytes = 0);
        var uncached = await fresh.InferAsync(turn2);

        Assert.Multiple(() =>
        {
            Assert.That(followUp.Usage.CachedPromptTokens, Is.GreaterThan(systemOnly.Usage.CachedPromptTokens), "more than the system prompt came from the cache");
            Assert.That(followUp.Text, Is.EqualTo(uncached.Text), "a restored state trimmed to the shared prefix decodes like a fresh prefill");
        });
    }

    [Test]
    public async Task CachedStateThatDoesNotFitTheBusyKvCache_IsPrefilledInstead_AndGivesTheSameOutput()
    {
        // The cached entry is a whole finished turn (~200 tokens); while another request holds part of the 256-token
        // context, restoring it finds too few free cells and llama.cpp refuses. The request must then prefill, not decode
        // as if its prefix had been restored.
        const int context = 256;
        void Configure(LlamaSharpEngineOptions o) => (o.ContextSize, o.MaxSequences, o.PrefixCacheMinTokens) = (context, 2, 8);
        await using var engine = TestEngines.Create(TestEngines.HolderModel, Configure);
        const string shortSystem = "You tell short, kind stories.";
        var turn1 = TestEngines.Request("Tell me about the sea.", shortSystem, maxTokens: 1);
        turn1 = turn1 with { MaxOutputTokens = 200 - engine.PreparePrompt(turn1).Tokens.Length };
        var turn2 = TestEngines.Request("Tell me about the park.", shortSystem, maxTokens: 8);
        var holderPrompt = string.Join(' ', Enumerable.Repeat("the dog ran", 12));
        Assume.That(engine.PreparePrompt(turn2).Tokens.Length, Is.LessThan(60), "the second turn fits beside the holder");
        Assume.That(engine.PreparePrompt(TestEngines.Request(holderPrompt)).Tokens.Length, Is.InRange(60, 120), "the holder leaves fewer free cells than the cached turn holds");
        var first = await engine.InferAsync(turn1);
        Assume.That(first.Usage.PromptTokens + first.Usage.GeneratedTokens, Is.GreaterThan(180), "the first turn ran to its limit");

        using var holdCts = new CancellationTokenSource();
        await using var holder = engine.InferStreamingAsync(TestEngines.Request(holderPrompt, maxTokens: 900), holdCts.Token).GetAsyncEnumerator();
        while (await holder.MoveNextAsync() && holder.Current.Text.Length == 0)
        {
        }

        var second = await engine.InferAsync(turn2);
        var statistics = engine.GetStatistics();
        var holderStillRunning = statistics.ActiveSequences == 1;
        await holdCts.CancelAsync();
        await using var uncached = TestEngines.Create(TestEngines.HolderModel, o => { Configure(o); o.PrefixCacheBytes = 0; });
        var expected = await uncached.InferAsync(turn2);

        Assert.That(second.Text, Is.EqualTo(expected.Text));
        Assume.That(holderStillRunning && second.Usage.CachedPromptTokens == 0, "the holder kept the restore from fitting (a slow machine may let it finish first)");
        Assert.That(statistics.PrefixCacheHits, Is.Zero, "a lookup whose restore failed is reported as a miss");
    }

    [Test]
    public async Task CapSmallerThanAnyState_KeepsNothingAndStillWorks()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel, o => o.PrefixCacheBytes = 1024);

        await engine.InferAsync(TestEngines.Request("Tell me about the sea.", System, maxTokens: 8));
        var second = await engine.InferAsync(TestEngines.Request("Tell me about the park.", System, maxTokens: 8));

        Assert.Multiple(() =>
        {
            Assert.That(engine.GetStatistics().PrefixCacheBytes, Is.Zero);
            Assert.That(second.Usage.CachedPromptTokens, Is.Zero);
            Assert.That(second.Usage.GeneratedTokens, Is.GreaterThan(0));
        });
    }
}
