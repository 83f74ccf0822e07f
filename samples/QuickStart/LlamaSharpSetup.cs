using System.Globalization;
using ARuntime.Sdk;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp;
using Microsoft.Extensions.DependencyInjection;

namespace QuickStart;

/// <summary>
/// <c>--model PATH.gguf</c>: runs the QuickStart on a real model in-process (llama.cpp through ARuntime.Sdk.LlamaSharp,
/// CPU backend) instead of the scripted engine, with a progress bar while the model loads and the model's tokens
/// streamed to the console as it writes them.
/// </summary>
public static class LlamaSharpSetup
{
    /// <summary>Registers the llama.cpp engine when <c>--model</c> is given.</summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="options">The command line.</param>
    /// <returns>Whether a model was registered.</returns>
    public static bool TryConfigure(ARuntimeBuilder builder, QuickStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ModelPath is not { } path)
        {
            return false;
        }

        builder.UseLlamaSharp(EngineSetup.Deployment, o =>
        {
            o.ModelPath = path;
            o.MaxOutputTokens = 256;
        });

        if (!options.Json)
        {
            // The runtime resolves the deployment's engine by key; the last registration wins, so this wraps the engine
            // UseLlamaSharp registered in one that echoes the streamed tokens.
            builder.Services.AddKeyedSingleton<IInferenceEngine>(
                EngineSetup.Deployment,
                (sp, _) => new ConsoleStreamingEngine(sp.GetRequiredKeyedService<LlamaSharpEngine>(EngineSetup.Deployment)));
        }

        return true;
    }

    /// <summary>Loads the model now, with a progress bar, so the first request does not wait for it.</summary>
    /// <param name="services">The built service provider.</param>
    /// <param name="options">The command line.</param>
    /// <returns>A task that completes when the model is loaded (or at once without <c>--model</c>).</returns>
    public static async Task LoadAsync(IServiceProvider services, QuickStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ModelPath is null)
        {
            return;
        }

        var engine = services.GetRequiredKeyedService<LlamaSharpEngine>(EngineSetup.Deployment);
        if (options.Json)
        {
            await engine.LoadAsync();
            return;
        }

        await engine.LoadAsync(new ProgressBar());
        Console.WriteLine();
        var info = engine.ModelInfo!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Model: {info.Name} ({info.Architecture}, {info.ParameterCount:N0} parameters, {info.Version}); prompt format {engine.Metadata.PromptTemplate}"));
        Console.WriteLine();
    }

    /// <summary>Draws a 40-column bar; reports arrive on the loading thread, in order.</summary>
    private sealed class ProgressBar : IProgress<double>
    {
        private const int Width = 40;

        public void Report(double value)
        {
            var filled = (int)Math.Round(value * Width);
            Console.Write(string.Create(CultureInfo.InvariantCulture, $"\rLoading model [{new string('#', filled)}{new string('.', Width - filled)}] {value,4:P0}"));
        }
    }

    /// <summary>Passes every call to the llama.cpp engine, streaming it and echoing the text as it is generated.</summary>
    private sealed class ConsoleStreamingEngine(IInferenceEngine inner) : DelegatingInferenceEngine(inner)
    {
        public override async Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
        {
            InferenceResult? result = null;
            Console.Write("model> ");
            await foreach (var update in InnerEngine.InferStreamingAsync(request, cancellationToken))
            {
                Console.Write(update.Text);
                result = update.Result ?? result;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"\n       [{result!.StopReason}; {result.Usage.GeneratedTokens} tokens, {result.Usage.DecodeTokensPerSecond:F0} tokens/s, {result.Usage.CachedPromptTokens}/{result.Usage.PromptTokens} prompt tokens cached]"));
            return result;
        }
    }
}
