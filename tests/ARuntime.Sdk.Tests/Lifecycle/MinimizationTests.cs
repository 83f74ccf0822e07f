using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;

namespace ARuntime.Sdk.Tests.Lifecycle;

/// <summary>Evidence holds digests and sizes of prompts and payloads, not raw text, unless the host opts in.</summary>
public sealed class MinimizationTests
{
    private const string Secretish = "my account number is 7391-2285-4410";

    [Test]
    public async Task By_default_no_record_contains_the_prompt_the_answer_or_the_tool_arguments()
    {
        var tools = new SampleTools();
        await using var harness = AgentTestHarness.Create(tools.Register, ScriptedReply.CallTool("lookup_order", new { orderId = "ZZ-99871" }), ScriptedReply.Answer("Answer mentioning Quuxberry."));

        var result = await harness.Runtime.RunAsync(Requests.Valid(Secretish, "lookup_order"));

        var all = string.Join('\n', harness.Evidence.ForRequest(result.RequestId).Select(r => JsonSerializer.Serialize(r, ARuntimeJsonContext.Default.EvidenceRecord)));
        var prompt = harness.Evidence.StageRecords(result.RequestId).First(r => r.Stage == LifecycleStage.Inference).Payloads.Single(p => p.Name == "prompt");
        Assert.Multiple(() =>
        {
            Assert.That(all, Does.Not.Contain("7391-2285-4410"));
            Assert.That(all, Does.Not.Contain("Quuxberry"));
            Assert.That(all, Does.Not.Contain("ZZ-99871"));
            Assert.That(prompt.Digest, Has.Length.EqualTo(64));
            Assert.That(prompt.Length, Is.GreaterThan(Secretish.Length));
            Assert.That(prompt.Content, Is.Null);
        });
    }

    [Test]
    public async Task Raw_capture_is_an_explicit_opt_in_recorded_on_every_record()
    {
        await using var harness = AgentTestHarness.Create(null, o => o.Evidence.CaptureRawContent = true, ScriptedReply.Answer("Quuxberry"));

        var result = await harness.Runtime.RunAsync(Requests.Valid(Secretish));

        var records = harness.Evidence.ForRequest(result.RequestId);
        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.Flags), Is.All.Contains(EvidenceFlags.RawContent));
            Assert.That(records.SelectMany(r => r.Payloads).Any(p => p.Content?.Contains(Secretish, StringComparison.Ordinal) == true), Is.True);
        });
    }

    [Test]
    public async Task A_payload_hashing_key_turns_digests_into_hmacs()
    {
        await using var plain = AgentTestHarness.Create(null, ScriptedReply.Answer("same answer"));
        await using var keyed = AgentTestHarness.Create(null, o => o.Evidence.PayloadHashKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), ScriptedReply.Answer("same answer"));

        var a = await plain.Runtime.RunAsync(Requests.Valid());
        var b = await keyed.Runtime.RunAsync(Requests.Valid());

        var plainAnswer = plain.Evidence.StageRecords(a.RequestId).Single(r => r.Stage == LifecycleStage.ResponseFinalization).Payloads.Single();
        var keyedAnswer = keyed.Evidence.StageRecords(b.RequestId).Single(r => r.Stage == LifecycleStage.ResponseFinalization).Payloads.Single();
        Assert.Multiple(() =>
        {
            Assert.That(plainAnswer.Algorithm, Is.EqualTo("sha256"));
            Assert.That(keyedAnswer.Algorithm, Is.EqualTo("hmac-sha256"));
            Assert.That(keyedAnswer.Digest, Is.Not.EqualTo(plainAnswer.Digest));
            Assert.That(plainAnswer.Digest, Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("same answer"u8))));
        });
    }
}
