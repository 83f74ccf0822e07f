using System.Runtime.CompilerServices;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using Microsoft.Extensions.AI;

namespace ARuntime.Sdk.Benchmarks.Lifecycle;

/// <summary>
/// The same two-turn script for both sides, stateless so it can run millions of times: turn one proposes a call to the
/// lookup tool, turn two (once a tool result is in the conversation) answers. Both fakes do the minimum a model adapter does.
/// </summary>
internal static class TwoTurnScript
{
    public const string ToolName = "lookup_order";
    public const string Answer = "Order A-1 was delivered yesterday.";

    public static object LookupOrder(string orderId) => new { orderId, status = "delivered" };
}

/// <summary>The scripted engine for the ARuntime side (replies in the runtime's JSON envelope).</summary>
internal sealed class TwoTurnEngine : IInferenceEngine
{
    private static readonly InferenceResult Call = new()
    {
        Text = "{\"tool\":\"lookup_order\",\"arguments\":{\"orderId\":\"A-1\"}}",
        StopReason = StopReason.SchemaComplete,
        Usage = new InferenceUsage { PromptTokens = 120, GeneratedTokens = 14 },
    };

    private static readonly InferenceResult Final = new()
    {
        Text = "{\"answer\":\"" + TwoTurnScript.Answer + "\"}",
        StopReason = StopReason.SchemaComplete,
        Usage = new InferenceUsage { PromptTokens = 160, GeneratedTokens = 12 },
    };

    public InferenceEngineMetadata Metadata { get; } = new() { EngineName = "bench", EngineVersion = "1", ModelId = "bench-model" };

    public Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var answered = false;
        foreach (var message in request.Messages)
        {
            answered |= message.Role == MessageRole.Tool;
        }

        return Task.FromResult(answered ? Final : Call);
    }

    public async IAsyncEnumerable<InferenceUpdate> InferStreamingAsync(InferenceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new InferenceUpdate { Result = await InferAsync(request, cancellationToken).ConfigureAwait(false) };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;
}

/// <summary>The fake chat client for the Microsoft.Extensions.AI baseline (native function calls).</summary>
internal sealed class TwoTurnChatClient : IChatClient
{
    private static readonly IReadOnlyDictionary<string, object?> Arguments = new Dictionary<string, object?> { ["orderId"] = "A-1" };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var answered = false;
        foreach (var message in messages)
        {
            answered |= message.Role == ChatRole.Tool;
        }

        var reply = answered
            ? new ChatMessage(ChatRole.Assistant, TwoTurnScript.Answer)
            : new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", TwoTurnScript.ToolName, new Dictionary<string, object?>(Arguments))]);
        return Task.FromResult(new ChatResponse(reply) { Usage = new UsageDetails { InputTokenCount = answered ? 160 : 120, OutputTokenCount = answered ? 12 : 14 } });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
