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
