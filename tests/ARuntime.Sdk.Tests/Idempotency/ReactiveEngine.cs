using System.Runtime.CompilerServices;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.Tests.Idempotency;

/// <summary>
/// A model stand-in that answers each request from its own conversation (unlike a shared script, concurrent requests each get
/// the reply meant for them): it proposes <see cref="ToolJson"/> until the conversation holds a tool result, then answers.
/// </summary>
internal sealed class ReactiveEngine(string toolJson) : IInferenceEngine
{
    public string ToolJson { get; } = toolJson;

    public InferenceEngineMetadata Metadata { get; } = new()
    {
        EngineName = "reactive",
        EngineVersion = "1",
        ModelId = "reactive",
        ModelVersion = "1",
        PromptTemplate = "none",
        Capabilities = new RouteCapabilities { ToolCalling = true, ConstrainedOutput = true, ContextTokens = 32_768 },
    };

    public Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var answered = request.Messages.Any(m => m.Role == MessageRole.Tool);
        return Task.FromResult(new InferenceResult
        {
            Text = answered ? """{"answer":"done"}""" : ToolJson,
            StopReason = StopReason.SchemaComplete,
            Usage = new InferenceUsage { PromptTokens = 10, GeneratedTokens = 10 },
        });
    }

    public async IAsyncEnumerable<InferenceUpdate> InferStreamingAsync(InferenceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new InferenceUpdate { Result = await InferAsync(request, cancellationToken).ConfigureAwait(false) };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;
}
