using ARuntime.Sdk.LlamaSharp.Prompting;
using LLama;
using LLama.Common;

namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>A loaded model: weights, what the file declares, the context parameters and the prompt builder.</summary>
internal sealed class LoadedModel : IDisposable
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="weights">The weights.</param>
    /// <param name="info">The model information.</param>
    /// <param name="parameters">The model and context parameters.</param>
    /// <param name="prompts">The prompt builder.</param>
    /// <param name="modelId">The reported model id.</param>
    /// <param name="modelVersion">The reported model version.</param>
    public LoadedModel(LLamaWeights weights, LlamaModelInfo info, ModelParams parameters, PromptBuilder prompts, string modelId, string modelVersion)
    {
        Weights = weights;
        Info = info;
        Parameters = parameters;
        Prompts = prompts;
        ModelId = modelId;
        ModelVersion = modelVersion;
        ContextSize = (int)(parameters.ContextSize ?? (uint)info.TrainedContextLength);
    }

    /// <summary>Gets the weights.</summary>
    public LLamaWeights Weights { get; }

    /// <summary>Gets what the file declares.</summary>
    public LlamaModelInfo Info { get; }

    /// <summary>Gets the parameters the context is created with.</summary>
    public ModelParams Parameters { get; }

    /// <summary>Gets the prompt builder.</summary>
    public PromptBuilder Prompts { get; }

    /// <summary>Gets the reported model id.</summary>
    public string ModelId { get; }

    /// <summary>Gets the reported model version.</summary>
    public string ModelVersion { get; }

    /// <summary>Gets the context size in tokens.</summary>
    public int ContextSize { get; }

    /// <inheritdoc />
    public void Dispose() => Weights.Dispose();
}
