using ARuntime.Sdk.LlamaSharp.Native;
using ARuntime.Sdk.LlamaSharp.Scheduling;
using ARuntime.Sdk.LlamaSharp.Tests.Gguf;
using ARuntime.Sdk.Testing.Gguf;
using LLama;
using LLama.Native;
using LLama.Sampling;

namespace ARuntime.Sdk.LlamaSharp.Tests.Scheduling;

/// <summary>The scheduler's own batch layer, on real llama.cpp (the tiny synthetic model).</summary>
public sealed class BatchDecoderTests
{
    private static readonly string[] Prompts = ["Once upon a time", "The little dog ran to the park"];

    private LLamaWeights weights = null!;

    [OneTimeSetUp]
    public void LoadModel() => weights = LlamaTestLoader.Load(TestModels.GetSynthetic(SyntheticModelSpec.Tiny));

    [OneTimeTearDown]
    public void Unload() => weights.Dispose();

    [Test]
    public void Sequences_DecodedTogether_GiveTheTokensOfAnIndependentRawLoop()
    {
        const int steps = 12;
        var expected = LlamaTestLoader.GreedyTogether(weights, Prompts, steps);

        using var decoder = NewDecoder(sequenceIds: 4);
        var sequences = Prompts.Select(p => Prompted(decoder, p)).ToList();
        var samplers = Prompts.Select(_ => new GreedySamplingPipeline()).ToList();
        var outputs = Prompts.Select(_ => new List<int>()).ToList();
        for (var step = 0; step < steps; step++)
        {
            Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.Ok));
            Assert.That(decoder.BatchedTokenCount, Is.Zero, "a decoded batch is cleared");
            for (var i = 0; i < sequences.Count; i++)
            {
                var token = sequences[i].Sample(samplers[i]);
                outputs[i].Add((int)token);
                sequences[i].Prompt(token);
            }
        }

        Assert.That(outputs, Is.EqualTo(expected));
    }

    [Test]
    public void SequenceIds_LowestFreeFirst_AndDisposingFreesTheKvCells()
    {
        using var decoder = NewDecoder(sequenceIds: 2);
        var first = Prompted(decoder, Prompts[0]);
        var second = decoder.Create();
        Assert.That(((int)first.Id, (int)second.Id), Is.EqualTo((0, 1)));
        Assert.Throws<InvalidOperationException>(() => decoder.Create(), "every id is in use");

        Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.Ok));
        Assert.That(decoder.Context.NativeHandle.MemorySequenceMaxPosition(first.Id).Value, Is.EqualTo(first.TokenCount - 1));

        first.Dispose();
        first.Dispose();
        Assert.That(decoder.Context.NativeHandle.MemorySequenceMaxPosition((LLamaSeqId)0).Value, Is.EqualTo(-1), "its cells are free");
        Assert.That((int)decoder.Create().Id, Is.Zero, "its id is reused");
    }

    [Test]
    public void SampleBeforeAnyDecode_IsRefused()
    {
        using var decoder = NewDecoder(sequenceIds: 1);
        var sequence = decoder.Create();
        using var sampler = new GreedySamplingPipeline();

        Assert.Throws<InvalidOperationException>(() => sequence.Sample(sampler));
    }

    [Test]
    public void SavedState_LoadedAndRewound_ContinuesExactlyLikeTheOriginal()
    {
        using var decoder = NewDecoder(sequenceIds: 2);
        var tokens = decoder.Context.Tokenize(Prompts[1], addBos: true, special: false);
        var original = decoder.Create();
        original.Prompt(tokens);
        Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.Ok));
        var expected = Continue(decoder, original, 6);

        // Save a longer state, then restore it and drop the tail: the rest of the prompt must decode to the same output.
        using var state = original.Save();
        var savedLength = original.TokenCount;
        original.Dispose();
        var restored = decoder.Load(state, savedLength);
        restored.Rewind(savedLength - (tokens.Length - 1));
        Assert.That(restored.TokenCount, Is.EqualTo(tokens.Length - 1));
        restored.Prompt(tokens[^1]);
        Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.Ok));

        Assert.That(Continue(decoder, restored, 6), Is.EqualTo(expected));
    }

    [Test]
    public void SavedState_LargerThanTheFreeKvCells_IsRefused_NotSilentlyLoadedEmpty()
    {
        // llama.cpp reports a state it cannot place by returning 0 bytes read; taken as loaded, the sequence would decode
        // its next tokens with no prefix in its KV cells (and the prefix cache would count them as cached).
        using var decoder = NewDecoder(sequenceIds: 3, contextSize: 256);
        var tokens = Enumerable.Repeat(decoder.Context.Tokenize(Prompts[1], addBos: false, special: false), 40).SelectMany(t => t).Take(200).ToArray();
        var saved = decoder.Create();
        saved.Prompt(tokens.AsSpan(0, 100));
        Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.Ok));
        using var state = saved.Save();
        saved.Dispose();
        var occupant = decoder.Create();
        occupant.Prompt(tokens);
        Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.Ok), "200 of the 256 cells are now in use");

        Assert.Throws<InvalidOperationException>(() => decoder.Load(state, 100));
        Assert.That((int)decoder.Create().Id, Is.EqualTo(1), "the refused load returned its sequence id (0 is the occupant's)");
    }

    [Test]
    public void AnAbortedDecode_KeepsItsBatch_AndTheRetryGivesTheSameTokens()
    {
        var expected = LlamaTestLoader.GreedyTogether(weights, Prompts, 1).Select(o => o[0]).ToList();
        using var abort = new AbortFlag();
        using var decoder = NewDecoder(sequenceIds: 2);
        abort.InstallOn(decoder.Context.NativeHandle);
        var sequences = Prompts.Select(p => Prompted(decoder, p)).ToList();
        var queued = decoder.BatchedTokenCount;

        abort.Raise();
        Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.ComputeAborted));
        Assert.That(decoder.BatchedTokenCount, Is.EqualTo(queued), "the batch is kept for the retry");

        abort.Reset();
        Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.Ok));
        using var sampler = new GreedySamplingPipeline();
        Assert.That(sequences.Select(s => (int)s.Sample(sampler)), Is.EqualTo(expected));
    }

    private BatchDecoder NewDecoder(int sequenceIds, uint contextSize = 1024)
    {
        var parameters = LlamaTestLoader.Parameters(string.Empty, contextSize);
        parameters.SeqMax = (uint)sequenceIds;
        parameters.KVUnified = true;
        return new BatchDecoder(weights, parameters, sequenceIds);
    }

    private static KvSequence Prompted(BatchDecoder decoder, string prompt)
    {
        var sequence = decoder.Create();
        sequence.Prompt(decoder.Context.Tokenize(prompt, addBos: true, special: false));
        return sequence;
    }

    private static List<int> Continue(BatchDecoder decoder, KvSequence sequence, int count)
    {
        using var sampler = new GreedySamplingPipeline();
        var output = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var token = sequence.Sample(sampler);
            output.Add((int)token);
            sequence.Prompt(token);
            Assert.That(decoder.Decode(), Is.EqualTo(DecodeResult.Ok));
        }

        return output;
    }
}
