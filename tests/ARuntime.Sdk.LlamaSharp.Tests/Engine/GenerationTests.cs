using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

public sealed class GenerationTests
{
    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task InferAsync_GeneratesTextWithTruthfulUsage(string model)
    {
        await using var engine = TestEngines.Create(TestEngines.Resolve(model));

        var result = await engine.InferAsync(TestEngines.Request("Once upon a time", maxTokens: 16));

        Assert.Multiple(() =>
        {
            Assert.That(result.Usage.GeneratedTokens, Is.InRange(1, 16));
            Assert.That(result.StopReason, Is.AnyOf(StopReason.MaxTokens, StopReason.EndOfSequence, StopReason.StopSequence));
            Assert.That(result.StopReason == StopReason.MaxTokens, Is.EqualTo(result.Usage.GeneratedTokens == 16));
            Assert.That(result.Usage.PromptTokens, Is.GreaterThan(3));
            Assert.That(result.Usage.Duration, Is.GreaterThanOrEqualTo(result.Usage.TimeToFirstToken));
            Assert.That(result.ModelId, Is.EqualTo(engine.Metadata.ModelId));
            Assert.That(result.ModelVersion, Does.StartWith("sha256:"));
            Assert.That(result.EngineVersion, Does.Contain("LLamaSharp"));
        });
    }

    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task InferStreamingAsync_DeltasConcatenateToTheResultText(string model)
    {
        await using var engine = TestEngines.Create(TestEngines.Resolve(model));
        var updates = new List<InferenceUpdate>();

        await foreach (var update in engine.InferStreamingAsync(TestEngines.Request("Once upon a time", maxTokens: 24)))
        {
            updates.Add(update);
        }

        var result = updates[^1].Result;
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.Not.Null);
            Assert.That(updates.Take(updates.Count - 1).All(u => u.Result is null), Is.True, "only the last update carries the result");
            Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo(result!.Text));
            Assert.That(updates.Count, Is.GreaterThan(1), "text is streamed as it is generated");
        });
    }

    [Test]
    public async Task GreedyOutput_IsDeterministic()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);

        var first = await engine.InferAsync(TestEngines.Request("The quick brown fox", maxTokens: 20));
        var second = await engine.InferAsync(TestEngines.Request("The quick brown fox", maxTokens: 20));

        Assert.That(second.Text, Is.EqualTo(first.Text));
    }

    [Test]
    public async Task TokenCounter_CountsWithTheModelsTokenizer()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var counter = (ITokenCounter?)engine.GetService(typeof(ITokenCounter));

        Assert.That(counter, Is.Not.Null);
        var one = counter!.CountTokens("the");
        var many = counter.CountTokens(string.Join(' ', Enumerable.Repeat("the", 20)));
        Assert.Multiple(() =>
        {
            Assert.That(one, Is.GreaterThanOrEqualTo(1));
            Assert.That(many, Is.GreaterThanOrEqualTo(20));
            Assert.That(counter.CountTokens(string.Empty), Is.Zero);
        });
    }

    [Test]
    public async Task StopSequence_EndsOutputBeforeIt()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var free = await engine.InferAsync(TestEngines.Request("Once upon a time", maxTokens: 24));
        Assume.That(free.Text.Length, Is.GreaterThan(4));
        var stop = free.Text.Substring(free.Text.Length / 2, 2);
        var expected = free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)];

        var stopped = await engine.InferAsync(TestEngines.Request("Once upon a time", maxTokens: 24) with { StopSequences = [stop] });

        Assert.Multiple(() =>
        {
            Assert.That(stopped.StopReason, Is.EqualTo(StopReason.StopSequence));
            Assert.That(stopped.Text, Is.EqualTo(expected));
        });
    }
}
