using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.Testing;

/// <summary>The scripted engine users unit-test their agents with.</summary>
public sealed class ScriptedInferenceEngineTests
{
    private static InferenceRequest Request(bool json = false) => new()
    {
        Messages = [AgentMessage.User("hello there")],
        ResponseFormat = json ? InferenceResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("{}").RootElement) : InferenceResponseFormat.Text,
    };

    [Test]
    public async Task Replies_come_in_script_order_and_requests_are_recorded()
    {
        var engine = new ScriptedInferenceEngine(ScriptedReply.Answer("one"), ScriptedReply.Answer("two"));

        var first = await engine.InferAsync(Request());
        var second = await engine.InferAsync(Request());

        Assert.Multiple(() =>
        {
            Assert.That(first.Text, Is.EqualTo("one"));
            Assert.That(second.Text, Is.EqualTo("two"));
            Assert.That(engine.Requests, Has.Count.EqualTo(2));
            Assert.That(engine.Remaining, Is.Zero);
        });
    }

    [Test]
    public async Task In_json_mode_answers_and_tool_calls_use_the_runtime_envelope()
    {
        var engine = new ScriptedInferenceEngine(ScriptedReply.Answer("hi"), ScriptedReply.CallTool("lookup", new { id = 1 }));

        var answer = await engine.InferAsync(Request(json: true));
        var call = await engine.InferAsync(Request(json: true));

        Assert.Multiple(() =>
        {
            Assert.That(answer.Text, Is.EqualTo("""{"answer":"hi"}"""));
            Assert.That(call.Text, Is.EqualTo("""{"tool":"lookup","arguments":{"id":1}}"""));
            Assert.That(call.StopReason, Is.EqualTo(StopReason.SchemaComplete));
        });
    }

    [Test]
    public async Task Several_tool_calls_in_one_reply_are_native_calls_in_any_mode()
    {
        var reply = ScriptedReply.CallTools(new("lookup", new { id = 1 }), new("track", """{"id":2}"""));
        var engine = new ScriptedInferenceEngine(reply, reply);

        var json = await engine.InferAsync(Request(json: true));
        var text = await engine.InferAsync(Request());

        Assert.Multiple(() =>
        {
            foreach (var result in new[] { json, text })
            {
                Assert.That(result.ToolCalls.Select(c => (c.ToolName, c.ArgumentsJson)), Is.EqualTo(new[] { ("lookup", """{"id":1}"""), ("track", """{"id":2}""") }));
                Assert.That(result.Text, Is.Empty, "the envelope carries one call, so several are never written as text");
            }

            Assert.That(engine.NativeToolCalls, Is.False);
            Assert.That(() => ScriptedReply.CallTools(), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task Token_counts_are_reported_as_scripted_or_estimated()
    {
        var engine = new ScriptedInferenceEngine(ScriptedReply.Answer("abcd").WithUsage(11, 3), ScriptedReply.Answer("abcdefgh"));

        var scripted = await engine.InferAsync(Request());
        var estimated = await engine.InferAsync(Request());

        Assert.Multiple(() =>
        {
            Assert.That((scripted.Usage.PromptTokens, scripted.Usage.GeneratedTokens), Is.EqualTo((11, 3)));
            Assert.That(estimated.Usage.PromptTokens, Is.EqualTo(3), "11 characters ≈ 3 tokens");
            Assert.That(estimated.Usage.GeneratedTokens, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_hanging_reply_ends_only_when_cancelled()
    {
        var time = new FakeTimeProvider();
        var engine = new ScriptedInferenceEngine(time, ScriptedReply.Hang());
        using var cts = new CancellationTokenSource();

        var call = engine.InferAsync(Request(), cts.Token);
        await engine.WhenCalledAsync(1);
        time.Advance(TimeSpan.FromDays(1));
        Assert.That(call.IsCompleted, Is.False, "time alone does not end a hang");
        await cts.CancelAsync();

        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_delayed_reply_waits_on_the_fake_clock()
    {
        var time = new FakeTimeProvider();
        var engine = new ScriptedInferenceEngine(time, ScriptedReply.Answer("late").After(TimeSpan.FromSeconds(10)));

        var call = engine.InferAsync(Request());
        await engine.WhenCalledAsync(1);
        time.Advance(TimeSpan.FromSeconds(9));
        var pending = call.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await call;

        Assert.Multiple(() =>
        {
            Assert.That(pending, Is.False);
            Assert.That(result.Text, Is.EqualTo("late"));
            Assert.That(result.Usage.Duration, Is.EqualTo(TimeSpan.FromSeconds(10)));
        });
    }

    [Test]
    public void An_exhausted_script_fails_with_a_typed_engine_error()
    {
        var engine = new ScriptedInferenceEngine();
        Assert.That(async () => await engine.InferAsync(Request()),
            Throws.InstanceOf<InferenceException>().With.Property(nameof(InferenceException.Kind)).EqualTo(InferenceFailureKind.EngineError).And.Message.Contains("no reply left"));
    }

    [Test]
    public async Task Streaming_yields_the_text_in_pieces_then_the_result()
    {
        var engine = new ScriptedInferenceEngine(ScriptedReply.Answer("The quick brown fox jumps."));
        var text = string.Empty;
        InferenceResult? result = null;

        await foreach (var update in engine.InferStreamingAsync(Request()))
        {
            text += update.Text;
            result = update.Result ?? result;
        }

        Assert.Multiple(() =>
        {
            Assert.That(text, Is.EqualTo("The quick brown fox jumps."));
            Assert.That(result?.Text, Is.EqualTo(text));
        });
    }
}
