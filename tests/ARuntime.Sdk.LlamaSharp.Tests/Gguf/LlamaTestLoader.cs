using LLama;
using LLama.Common;
using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Tests.Gguf;

/// <summary>Loads test models the same way everywhere: CPU only, memory-mapped, small context, at most 2 threads.</summary>
internal static class LlamaTestLoader
{
    public static ModelParams Parameters(string path, uint contextSize = 256) => new(path)
    {
        ContextSize = contextSize,
        GpuLayerCount = 0,
        Threads = Math.Min(2, Environment.ProcessorCount),
        BatchThreads = Math.Min(2, Environment.ProcessorCount),
        LoadMode = LLamaLoadMode.MemoryMap,
    };

    public static LLamaWeights Load(string path) => LLamaWeights.LoadFromFile(Parameters(path));

    /// <summary>
    /// Decodes <paramref name="prompt"/>, then samples and decodes <paramref name="count"/> tokens with a seeded sampler,
    /// checking after every decode that the logits are finite and not all equal.
    /// </summary>
    public static List<LLamaToken> Generate(LLamaWeights weights, string prompt, int count, uint seed, float temperature)
    {
        var parameters = Parameters(string.Empty);
        using var context = weights.CreateContext(parameters);
        using var sampler = new LLama.Sampling.DefaultSamplingPipeline { Seed = seed, Temperature = temperature };
        var batch = new LLamaBatch();
        var tokens = context.Tokenize(prompt, addBos: true, special: false);
        batch.AddRange(tokens, 0, LLamaSeqId.Zero, true);
        var position = tokens.Length;
        var generated = new List<LLamaToken>();
        for (var i = 0; i < count; i++)
        {
            var result = context.Decode(batch);
            if (result != DecodeResult.Ok)
            {
                throw new InvalidOperationException($"llama_decode failed: {result}");
            }

            var logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1);
            AssertUsable(logits);
            var token = sampler.Sample(context.NativeHandle, batch.TokenCount - 1);
            sampler.Accept(token);
            generated.Add(token);
            batch.Clear();
            batch.Add(token, position++, LLamaSeqId.Zero, true);
        }

        return generated;
    }

    /// <summary>
    /// Greedy-decodes <paramref name="count"/> tokens for every prompt together, one sequence per prompt in one shared
    /// batch per step (the way continuous batching runs them), and returns each sequence's tokens.
    /// </summary>
    public static List<List<int>> GreedyTogether(LLamaWeights weights, IReadOnlyList<string> prompts, int count)
    {
        var parameters = Parameters(string.Empty, contextSize: 1024);
        parameters.SeqMax = (uint)prompts.Count;
        using var context = weights.CreateContext(parameters);
        var batch = new LLamaBatch();
        var outputs = prompts.Select(_ => new List<int>()).ToList();
        var positions = new int[prompts.Count];
        var logitIndexes = new int[prompts.Count];
        for (var sequence = 0; sequence < prompts.Count; sequence++)
        {
            var tokens = context.Tokenize(prompts[sequence], addBos: true, special: false);
            for (var i = 0; i < tokens.Length; i++)
            {
                var last = i == tokens.Length - 1;
                var index = batch.Add(tokens[i], i, (LLamaSeqId)sequence, last);
                if (last)
                {
                    logitIndexes[sequence] = index;
                }
            }

            positions[sequence] = tokens.Length;
        }

        for (var step = 0; step < count; step++)
        {
            Assert.That(context.Decode(batch), Is.EqualTo(DecodeResult.Ok));
            var next = new int[prompts.Count];
            for (var sequence = 0; sequence < prompts.Count; sequence++)
            {
                var logits = context.NativeHandle.GetLogitsIth(logitIndexes[sequence]);
                AssertUsable(logits);
                var best = 0;
                for (var token = 1; token < logits.Length; token++)
                {
                    best = logits[token] > logits[best] ? token : best;
                }

                next[sequence] = best;
                outputs[sequence].Add(best);
            }

            batch.Clear();
            for (var sequence = 0; sequence < prompts.Count; sequence++)
            {
                logitIndexes[sequence] = batch.Add(next[sequence], positions[sequence]++, (LLamaSeqId)sequence, true);
            }
        }

        return outputs;
    }

    private static void AssertUsable(Span<float> logits)
    {
        var minimum = float.PositiveInfinity;
        var maximum = float.NegativeInfinity;
        foreach (var logit in logits)
        {
            if (!float.IsFinite(logit))
            {
                Assert.Fail($"llama.cpp produced a non-finite logit ({logit}).");
            }

            minimum = Math.Min(minimum, logit);
            maximum = Math.Max(maximum, logit);
        }

        Assert.That(maximum - minimum, Is.GreaterThan(0.1f), "logits are (nearly) constant: the weights carry no signal");
    }
}
