using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.Testing;

/// <summary>
/// A deterministic <see cref="IInferenceEngine"/> for unit tests: it answers each call with the next <see cref="ScriptedReply"/>
/// in its queue. It speaks the runtime's reply protocol (a JSON envelope when the request asks for JSON), reports token
/// counts, records every request it received, and can hang, refuse, fail or delay — all on a <see cref="TimeProvider"/> you
/// control, so deadline and timeout tests need no sleeps.
/// </summary>
public sealed class ScriptedInferenceEngine : IInferenceEngine
{
    private readonly Queue<ScriptedReply> replies = new();
    private readonly List<InferenceRequest> requests = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> waiters = [];
    private readonly Lock gate = new();
    private readonly TimeProvider timeProvider;
    private int calls;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="replies">The replies, in order.</param>
    public ScriptedInferenceEngine(params ScriptedReply[] replies)
        : this(TimeProvider.System, replies)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeProvider">The clock delays and hangs run on (use a <c>FakeTimeProvider</c> in tests).</param>
    /// <param name="replies">The replies, in order.</param>
    public ScriptedInferenceEngine(TimeProvider timeProvider, params ScriptedReply[] replies)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        this.timeProvider = timeProvider;
        foreach (var reply in replies)
        {
            this.replies.Enqueue(reply);
        }

        Metadata = new InferenceEngineMetadata
        {
            EngineName = "scripted",
            EngineVersion = "1.0",
            ModelId = "scripted-model",
            ModelVersion = "1",
            PromptTemplate = "none",
            Capabilities = new RouteCapabilities { ToolCalling = true, ConstrainedOutput = true, Streaming = true, ContextTokens = 32_768 },
        };
    }

    /// <inheritdoc />
    public InferenceEngineMetadata Metadata { get; init; }

    /// <summary>
    /// Gets or sets whether a single tool call (<see cref="ScriptedReply.CallTool"/>) is returned as native
    /// <see cref="InferenceResult.ToolCalls"/> instead of envelope JSON text. Several calls in one reply
    /// (<see cref="ScriptedReply.CallTools"/>) are always native: the envelope carries one call.
    /// </summary>
    public bool NativeToolCalls { get; set; }

    /// <summary>Gets the requests received so far, in order.</summary>
    public IReadOnlyList<InferenceRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>Gets the number of calls so far.</summary>
    public int CallCount => Volatile.Read(ref calls);

    /// <summary>Gets the number of replies left.</summary>
    public int Remaining
    {
        get
        {
            lock (gate)
            {
                return replies.Count;
            }
        }
    }

    /// <summary>Adds replies to the end of the script.</summary>
    /// <param name="more">The replies.</param>
    /// <returns>This engine.</returns>
    public ScriptedInferenceEngine Enqueue(params ScriptedReply[] more)
    {
        lock (gate)
        {
            foreach (var reply in more)
            {
                replies.Enqueue(reply);
            }
        }

        return this;
    }

    /// <summary>Completes when the engine has been called at least <paramref name="count"/> times (use it before advancing a fake clock).</summary>
    /// <param name="count">The call count to wait for.</param>
    /// <returns>A task that completes when the count is reached.</returns>
    public Task WhenCalledAsync(int count)
    {
        lock (gate)
        {
            if (calls >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, signal));
            return signal.Task;
        }
    }

    /// <inheritdoc />
    public async Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = timeProvider.GetTimestamp();
        var reply = Next(request);
        await WaitAsync(reply, request, cancellationToken).ConfigureAwait(false);
        return Complete(reply, request, started);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<InferenceUpdate> InferStreamingAsync(InferenceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = timeProvider.GetTimestamp();
        var reply = Next(request);
        await WaitAsync(reply, request, cancellationToken).ConfigureAwait(false);
        var result = Complete(reply, request, started);
        var text = result.Text;
        for (var i = 0; i < text.Length; i += 8)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new InferenceUpdate { Text = text.Substring(i, Math.Min(8, text.Length - i)) };
        }

        yield return new InferenceUpdate { Result = result };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    private ScriptedReply Next(InferenceRequest request)
    {
        ScriptedReply? reply;
        List<TaskCompletionSource> ready = [];
        lock (gate)
        {
            requests.Add(request);
            calls++;
            reply = replies.Count > 0 ? replies.Dequeue() : null;
            for (var i = waiters.Count - 1; i >= 0; i--)
            {
                if (calls >= waiters[i].Count)
                {
                    ready.Add(waiters[i].Signal);
                    waiters.RemoveAt(i);
                }
            }
        }

        foreach (var signal in ready)
        {
            signal.TrySetResult();
        }

        return reply ?? throw new InferenceException(InferenceFailureKind.EngineError, $"The scripted engine has no reply left for call {calls}; add more replies to the script.");
    }

    private async Task WaitAsync(ScriptedReply reply, InferenceRequest request, CancellationToken cancellationToken)
    {
        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        switch (reply.Kind)
        {
            case ScriptedReplyKind.Hang:
                // Like a stuck model: only cancellation (a timeout or the caller) ends the wait.
                await Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, cancellationToken).ConfigureAwait(false);
                break;
            case ScriptedReplyKind.Throw:
                throw reply.Exception!;
        }

        if (request.Deadline is { } deadline && timeProvider.GetUtcNow() > deadline)
        {
            throw new OperationCanceledException("The scripted reply came after the request's deadline.");
        }
    }

    private InferenceResult Complete(ScriptedReply reply, InferenceRequest request, long started)
    {
        var json = request.ResponseFormat.Kind == ResponseFormatKind.JsonSchema;
        var text = string.Empty;
        IReadOnlyList<ProposedToolCall> toolCalls = [];
        var stop = StopReason.EndOfSequence;
        switch (reply.Kind)
        {
            case ScriptedReplyKind.Answer:
                text = json ? Envelope("answer", reply.Structured ?? JsonSerializer.SerializeToElement(reply.Text ?? string.Empty)) : reply.Text ?? string.Empty;
                stop = json ? StopReason.SchemaComplete : StopReason.EndOfSequence;
                break;
            case ScriptedReplyKind.ToolCall when NativeToolCalls:
                toolCalls = [new ProposedToolCall { ToolName = reply.ToolName!, ArgumentsJson = reply.ArgumentsJson! }];
                break;
            case ScriptedReplyKind.ToolCall:
                text = ToolEnvelope(reply.ToolName!, reply.ArgumentsJson!);
                stop = StopReason.SchemaComplete;
                break;
            case ScriptedReplyKind.ToolCalls:
                toolCalls = [.. reply.ToolCalls.Select(c => new ProposedToolCall { ToolName = c.ToolName, ArgumentsJson = c.ArgumentsJson })];
                break;
            case ScriptedReplyKind.Raw:
                text = reply.Text ?? string.Empty;
                break;
            case ScriptedReplyKind.Refusal:
                text = reply.Text ?? string.Empty;
                stop = StopReason.Refusal;
                break;
        }

        var elapsed = timeProvider.GetElapsedTime(started);
        return new InferenceResult
        {
            Text = text,
            ToolCalls = toolCalls,
            StopReason = reply.StopReason ?? stop,
            ModelId = Metadata.ModelId,
            ModelVersion = Metadata.ModelVersion,
            EngineVersion = Metadata.EngineName + "/" + Metadata.EngineVersion,
            Usage = new InferenceUsage
            {
                PromptTokens = reply.PromptTokens ?? EstimatePromptTokens(request),
                GeneratedTokens = reply.GeneratedTokens ?? Math.Max(1, (text.Length + 3) / 4),
                TimeToFirstToken = elapsed,
                Duration = elapsed,
            },
        };
    }

    private static int EstimatePromptTokens(InferenceRequest request)
    {
        var characters = 0;
        foreach (var message in request.Messages)
        {
            characters += message.Content.Length;
        }

        return Math.Max(1, (characters + 3) / 4);
    }

    private static string Envelope(string property, JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(property);
            value.WriteTo(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ToolEnvelope(string tool, string argumentsJson)
    {
        // Keep malformed arguments malformed: the runtime must see exactly what a model would produce.
        return "{\"tool\":" + JsonSerializer.Serialize(tool) + ",\"arguments\":" + argumentsJson + "}";
    }
}
