using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Protocol;

namespace ARuntime.Sdk.Tests.Protocol;

public sealed class ReplyParserTests
{
    private static ParsedReply Parse(string text, bool envelope = true) =>
        ReplyParser.Parse(new InferenceResult { Text = text, StopReason = StopReason.EndOfSequence }, envelope, turn: 3);

    [Test]
    public void A_tool_envelope_becomes_a_typed_call_with_a_turn_scoped_id()
    {
        var reply = Parse("""{"tool":"lookup","arguments":{"id":"A-1"}}""");

        Assert.Multiple(() =>
        {
            Assert.That(reply.Calls, Has.Count.EqualTo(1));
            Assert.That(reply.Calls[0].ToolName, Is.EqualTo("lookup"));
            Assert.That(reply.Calls[0].CallId, Is.EqualTo("call_3_0"));
            Assert.That(reply.Calls[0].Arguments.GetProperty("id").GetString(), Is.EqualTo("A-1"));
            Assert.That(reply.IsAnswer, Is.False);
        });
    }

    [Test]
    public void A_markdown_fence_around_the_json_is_tolerated()
    {
        var reply = Parse("```json\n{\"answer\":\"hi\"}\n```");
        Assert.That(reply.Answer, Is.EqualTo("hi"));
    }

    [TestCase("not json at all")]
    [TestCase("[1,2]")]
    [TestCase("""{"something":"else"}""")]
    [TestCase("""{"tool":"x","arguments":{},"answer":"y"}""")]
    [TestCase("""{"tool":42,"arguments":{}}""")]
    public void Replies_outside_the_protocol_are_errors_never_actions(string text)
    {
        var reply = Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(reply.Calls, Is.Empty);
            Assert.That(reply.IsAnswer, Is.False);
            Assert.That(reply.Errors, Is.Not.Empty);
        });
    }

    [Test]
    public void Arguments_that_are_not_an_object_make_a_malformed_call()
    {
        var reply = Parse("""{"tool":"lookup","arguments":"A-1"}""");
        Assert.Multiple(() =>
        {
            Assert.That(reply.Calls, Is.Empty);
            Assert.That(reply.MalformedCalls.Single().Call.ToolName, Is.EqualTo("lookup"));
        });
    }

    [Test]
    public void Without_the_envelope_the_whole_text_is_the_answer()
    {
        var reply = Parse("  The order shipped.  ", envelope: false);
        Assert.That(reply.Answer, Is.EqualTo("The order shipped."));
    }

    [Test]
    public void Native_tool_calls_with_malformed_arguments_are_kept_apart()
    {
        var result = new InferenceResult
        {
            Text = string.Empty,
            StopReason = StopReason.EndOfSequence,
            ToolCalls = [new ProposedToolCall { ToolName = "a", ArgumentsJson = "{\"x\":1}" }, new ProposedToolCall { CallId = "c9", ToolName = "b", ArgumentsJson = "{broken" }],
        };
        var reply = ReplyParser.Parse(result, envelope: true, turn: 1);
        Assert.Multiple(() =>
        {
            Assert.That(reply.Calls.Single().ToolName, Is.EqualTo("a"));
            Assert.That(reply.MalformedCalls.Single().Call.CallId, Is.EqualTo("c9"));
        });
    }
}
