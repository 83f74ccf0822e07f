using ARuntime.Sdk.Inference;
using LLama.Sampling;
using LlamaGrammar = LLama.Sampling.Grammar;

namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>Builds a request's sampling pipeline: greedy for temperature 0, llama.cpp's default chain otherwise; both take the output grammar.</summary>
internal static class SamplerFactory
{
    /// <summary>Creates the pipeline.</summary>
    /// <param name="sampling">The request's sampling options (validated).</param>
    /// <param name="grammar">The output grammar, or <see langword="null"/>.</param>
    /// <returns>The pipeline; the caller disposes it.</returns>
    public static ISamplingPipeline Create(SamplingOptions sampling, LlamaGrammar? grammar)
    {
        if (sampling.Temperature <= 0f)
        {
            return new GreedySamplingPipeline { Grammar = grammar };
        }

        return new DefaultSamplingPipeline
        {
            Temperature = sampling.Temperature,
            TopK = sampling.TopK,
            TopP = sampling.TopP,
            // The request names top-k and top-p only; min-p and typical sampling stay neutral.
            MinP = 0f,
            TypicalP = 1f,
            RepeatPenalty = sampling.RepeatPenalty,
            Seed = sampling.Seed ?? (uint)Random.Shared.Next(),
            Grammar = grammar,
        };
    }

    /// <summary>Returns the first problem with <paramref name="sampling"/>, or <see langword="null"/>.</summary>
    /// <param name="sampling">The options.</param>
    /// <returns>The problem.</returns>
    public static string? Validate(SamplingOptions sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        if (!float.IsFinite(sampling.Temperature) || sampling.Temperature < 0f)
        {
            return "Sampling.Temperature must be a finite number of 0 or more.";
        }

        if (!float.IsFinite(sampling.TopP) || sampling.TopP <= 0f || sampling.TopP > 1f)
        {
            return "Sampling.TopP must be greater than 0 and at most 1.";
        }

        if (sampling.TopK < 0)
        {
            return "Sampling.TopK must be 0 (all tokens) or more.";
        }

        if (!float.IsFinite(sampling.RepeatPenalty) || sampling.RepeatPenalty <= 0f)
        {
            return "Sampling.RepeatPenalty must be a finite number greater than 0 (1 disables it).";
        }

        return null;
    }
}
