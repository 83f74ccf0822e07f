using System.Text.Json;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.Testing;

/// <summary>
/// One reply of a <see cref="ScriptedInferenceEngine"/>: an answer, a tool call (or several), malformed output, a refusal,
/// a hang (a timeout for the caller), or an exception — with optional token counts and a delay driven by the engine's
/// <see cref="TimeProvider"/> (use a <c>FakeTimeProvider</c> to control it without sleeping).
/// </summary>
public sealed record ScriptedReply
{
    private ScriptedReply(ScriptedReplyKind kind)
    {
        Kind = kind;
    }

    /// <summary>Gets what the reply does.</summary>
    public ScriptedReplyKind Kind { get; }

    /// <summary>Gets the answer text, raw text or refusal text.</summary>
    public string? Text { get; private init; }

    /// <summary>Gets the structured answer (JSON), for answers to requests with an output contract.</summary>
    public JsonElement? Structured { get; private init; }

    /// <summary>Gets the tool name, for a single tool call (<see cref="CallTool"/>).</summary>
    public string? ToolName { get; private init; }

    /// <summary>Gets the arguments JSON, for a single tool call (<see cref="CallTool"/>).</summary>
    public string? ArgumentsJson { get; private init; }

    /// <summary>Gets the calls, in order, for several tool calls in one reply (<see cref="CallTools"/>); empty otherwise.</summary>
    public IReadOnlyList<ScriptedToolCall> ToolCalls { get; private init; } = [];

    /// <summary>Gets the exception to throw.</summary>
    public Exception? Exception { get; private init; }

    /// <summary>Gets the prompt-token count to report; <see langword="null"/> estimates it.</summary>
    public int? PromptTokens { get; init; }

    /// <summary>Gets the generated-token count to report; <see langword="null"/> estimates it.</summary>
    public int? GeneratedTokens { get; init; }

    /// <summary>Gets how long the engine waits (on its time provider) before replying.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Gets the stop reason to report instead of the natural one.</summary>
    public StopReason? StopReason { get; init; }

    /// <summary>An answer.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The reply.</returns>
    public static ScriptedReply Answer(string text) => new(ScriptedReplyKind.Answer) { Text = text };

    /// <summary>A structured answer (for requests with an output contract).</summary>
    /// <param name="value">The answer, serialized to JSON.</param>
    /// <returns>The reply.</returns>
    public static ScriptedReply StructuredAnswer(object value)
    {
        var element = value is JsonElement json ? json : JsonSerializer.SerializeToElement(value, value.GetType(), JsonSerializerOptions.Web);
        return new(ScriptedReplyKind.Answer) { Structured = element, Text = element.GetRawText() };
    }

    /// <summary>A tool call.</summary>
    /// <param name="toolName">The tool name.</param>
    /// <param name="arguments">The arguments, serialized to JSON (an anonymous object works).</param>
    /// <returns>The reply.</returns>
    public static ScriptedReply CallTool(string toolName, object arguments)
    {
        var call = new ScriptedToolCall(toolName, arguments);
        return new(ScriptedReplyKind.ToolCall) { ToolName = call.ToolName, ArgumentsJson = call.ArgumentsJson };
    }

    /// <summary>
    /// Several tool calls in one reply, returned as native <see cref="InferenceResult.ToolCalls"/> whatever
    /// <see cref="ScriptedInferenceEngine.NativeToolCalls"/> says: the runtime's JSON reply envelope carries one call, so only
    /// an engine with native tool calling can propose several at once.
    /// </summary>
    /// <param name="calls">The calls, in order (at least one).</param>
    /// <returns>The reply.</returns>
    /// <example>
    /// <code>
    /// ScriptedReply.CallTools(new("lookup_order", new { orderId = "A-1" }), new("track_parcel", new { orderId = "A-1" }))
    /// </code>
    /// </example>
    public static ScriptedReply CallTools(params ScriptedToolCall[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Length == 0)
        {
            throw new ArgumentException("A reply with tool calls needs at least one call.", nameof(calls));
        }

        foreach (var call in calls)
        {
            ArgumentNullException.ThrowIfNull(call, nameof(calls));
        }

        return new(ScriptedReplyKind.ToolCalls) { ToolCalls = [.. calls] };
    }

    /// <summary>Exactly this text, whatever the requested format (for example malformed JSON).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The reply.</returns>
    public static ScriptedReply Raw(string text) => new(ScriptedReplyKind.Raw) { Text = text };

    /// <summary>Malformed output: text that is not valid JSON.</summary>
    /// <returns>The reply.</returns>
    public static ScriptedReply Malformed() => Raw("{\"tool\": \"unterminated");

    /// <summary>A refusal.</summary>
    /// <param name="text">The refusal text.</param>
    /// <returns>The reply.</returns>
    public static ScriptedReply Refusal(string text = "I can't help with that.") => new(ScriptedReplyKind.Refusal) { Text = text };

    /// <summary>A call that never completes on its own: it ends only when cancelled or its deadline passes (a model timeout).</summary>
    /// <returns>The reply.</returns>
    public static ScriptedReply Hang() => new(ScriptedReplyKind.Hang);

    /// <summary>A call that throws.</summary>
    /// <param name="exception">The exception (an <see cref="InferenceException"/> models an engine failure).</param>
    /// <returns>The reply.</returns>
    public static ScriptedReply Throw(Exception exception) => new(ScriptedReplyKind.Throw) { Exception = exception };

    /// <summary>An engine whose queue is full.</summary>
    /// <returns>The reply.</returns>
    public static ScriptedReply Overloaded() => Throw(new InferenceException(InferenceFailureKind.Overloaded, "The scripted engine is overloaded."));

    /// <summary>Returns this reply with token counts.</summary>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="generatedTokens">Generated tokens.</param>
    /// <returns>The reply.</returns>
    public ScriptedReply WithUsage(int promptTokens, int generatedTokens) => this with { PromptTokens = promptTokens, GeneratedTokens = generatedTokens };

    /// <summary>Returns this reply delayed by <paramref name="delay"/> on the engine's time provider.</summary>
    /// <param name="delay">The delay.</param>
    /// <returns>The reply.</returns>
    public ScriptedReply After(TimeSpan delay) => this with { Delay = delay };
}
