using Desc = System.ComponentModel.DescriptionAttribute;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Telemetry;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Observability.Support;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.Observability;

public sealed class ContentCaptureTests
{
    private const string PromptMarker = "PROMPT-7f3a";
    private const string InstructionsMarker = "INSTRUCTIONS-91bc";
    private const string ArgumentMarker = "ORDER-5d2e";
    private const string AnswerMarker = "ANSWER-c04f";
    private const string Secret = "sk-live-0123456789abcdef";

    [Test]
    public async Task ByDefault_NoPromptInstructionsArgumentsResultsOrAnswerInAnyAttributeOrEvent()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture, replies: ObservedRuntime.OneToolCall(ArgumentMarker, "Shipped. " + AnswerMarker));

        var result = await harness.Runtime.RunAsync(Request(harness));
        var spans = capture.Trace(TraceTests.TraceIdOf(harness, result));
        var values = AllValues(spans).Concat(capture.AllMeasurements.SelectMany(m => m.Tags.Select(t => Render(t.Value)))).ToList();

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(spans, Is.Not.Empty);
        Assert.That(capture.AllMeasurements, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var marker in new[] { PromptMarker, InstructionsMarker, ArgumentMarker, AnswerMarker, "tenant-test" })
            {
                Assert.That(values.Where(v => v.Contains(marker, StringComparison.Ordinal)), Is.Empty, marker + " must not appear in any attribute, event or measurement by default");
            }

            foreach (var key in new[] { "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.tool.definitions", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result" })
            {
                Assert.That(spans.Where(s => s.GetTagItem(key) is not null), Is.Empty, key + " is opt-in");
            }
        });
    }

    [Test]
    public async Task OptedIn_SpansCarryMessagesToolDefinitionsArgumentsAndResults_AsConventionJson()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture, o => o.Telemetry.CaptureMessageContent = true, replies: ObservedRuntime.OneToolCall(ArgumentMarker, "Shipped. " + AnswerMarker));

        var result = await harness.Runtime.RunAsync(Request(harness));
        var spans = capture.Trace(TraceTests.TraceIdOf(harness, result));
        var root = spans.Single(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal));
        var chats = spans.Where(a => a.DisplayName.StartsWith("chat", StringComparison.Ordinal)).ToList();
        var tool = spans.Single(a => a.DisplayName.StartsWith("execute_tool", StringComparison.Ordinal));

        using var instructions = Json(root, "gen_ai.system_instructions");
        using var requestInput = Json(root, "gen_ai.input.messages");
        using var requestOutput = Json(root, "gen_ai.output.messages");
        using var definitions = Json(root, "gen_ai.tool.definitions");
        using var secondInput = Json(chats[1], "gen_ai.input.messages");
        using var firstOutput = Json(chats[0], "gen_ai.output.messages");
        using var arguments = Json(tool, "gen_ai.tool.call.arguments");
        using var toolResult = Json(tool, "gen_ai.tool.call.result");
        Assert.Multiple(() =>
        {
            Assert.That(instructions.RootElement[0].GetProperty("type").GetString(), Is.EqualTo("text"));
            Assert.That(instructions.RootElement[0].GetProperty("content").GetString(), Does.Contain(InstructionsMarker));
            Assert.That(requestInput.RootElement[requestInput.RootElement.GetArrayLength() - 1].GetProperty("role").GetString(), Is.EqualTo("user"));
            Assert.That(requestInput.RootElement[requestInput.RootElement.GetArrayLength() - 1].GetProperty("parts")[0].GetProperty("content").GetString(), Does.Contain(PromptMarker));
            Assert.That(requestOutput.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString(), Does.Contain(AnswerMarker));
            Assert.That(definitions.RootElement[0].GetProperty("name").GetString(), Is.EqualTo(ObservedRuntime.ToolName));
            Assert.That(definitions.RootElement[0].GetProperty("type").GetString(), Is.EqualTo("function"));

            var roles = secondInput.RootElement.EnumerateArray().Select(m => m.GetProperty("role").GetString()).ToList();
            Assert.That(roles, Is.EqualTo(new[] { "system", "user", "assistant", "tool" }), "the second turn sees the call and the tool's result");
            var toolPart = secondInput.RootElement[3].GetProperty("parts")[0];
            Assert.That(toolPart.GetProperty("type").GetString(), Is.EqualTo("tool_call_response"));
            Assert.That(toolPart.GetProperty("id").GetString(), Is.EqualTo(result.ToolCalls.Single().CallId));
            Assert.That(firstOutput.RootElement[0].GetProperty("role").GetString(), Is.EqualTo("assistant"));

            Assert.That(arguments.RootElement.GetProperty("orderId").GetString(), Is.EqualTo(ArgumentMarker), "arguments are recorded as an object");
            Assert.That(toolResult.RootElement.GetProperty("status").GetString(), Is.EqualTo("shipped"));
        });
    }

    [Test]
    public async Task OptedIn_CredentialsResolvedDuringTheRequestAreRedactedFromEveryAttribute()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(
            capture,
            o => o.Telemetry.CaptureMessageContent = true,
            b => b.UseSecretResolver(new StaticSecrets())
                .AddTool(LookUpAccount, o => { o.Name = "look_up_account"; o.PermissionClass = ObservedRuntime.Permission; o.SideEffect = SideEffectClass.Read; o.AuthReference = "crm-key"; }),
            ScriptedReply.CallTool("look_up_account", new { account = "acme" }),
            ScriptedReply.Answer("Done."));

        var result = await harness.Runtime.RunAsync(harness.NewRequest("Look up acme.", "look_up_account"));
        var spans = capture.Trace(TraceTests.TraceIdOf(harness, result));
        var tool = spans.Single(a => a.DisplayName == "execute_tool look_up_account");

        Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.Succeeded));
        Assert.Multiple(() =>
        {
            Assert.That(AllValues(spans).Where(v => v.Contains(Secret, StringComparison.Ordinal)), Is.Empty, "the credential never reaches telemetry");
            Assert.That((string)tool.GetTagItem("gen_ai.tool.call.result")!, Does.Contain("[REDACTED:crm-key]"));
            var secondChat = spans.Where(a => a.DisplayName.StartsWith("chat", StringComparison.Ordinal)).Last();
            Assert.That((string)secondChat.GetTagItem("gen_ai.input.messages")!, Does.Contain("[REDACTED:crm-key]"));
        });
    }

    [TestCase(null, null, false)]
    [TestCase(null, "true", true)]
    [TestCase(null, " TRUE ", true)]
    [TestCase(null, "false", false)]
    [TestCase(null, "yes", false)]
    [TestCase(false, "true", false)]
    [TestCase(true, null, true)]
    [TestCase(true, "false", true)]
    public void ContentCapture_IsOffByDefault_TheEnvironmentVariableOptsIn_AndAnExplicitOptionWins(bool? option, string? environment, bool expected)
    {
        var options = new ARuntimeOptions();
        options.Telemetry.CaptureMessageContent = option;
        using var factory = new TestMeterFactory();
        using var telemetry = new RuntimeTelemetry(options, TimeProvider.System, factory, name => name == TelemetryOptions.CaptureMessageContentEnvironmentVariable ? environment : null);

        Assert.That(telemetry.CapturesContent, Is.EqualTo(expected));
    }

    [Test]
    public void TenantAttribute_IsATruncatedHash_KeyedWhenAKeyIsSet_AndAbsentWhenOmitted()
    {
        var hashed = new ARuntimeOptions();
        var keyed = new ARuntimeOptions();
        keyed.Telemetry.TenantHashKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var omitted = new ARuntimeOptions();
        omitted.Telemetry.Tenant = TenantTelemetryMode.Omitted;
        using var factory = new TestMeterFactory();
        using var plain = new RuntimeTelemetry(hashed, TimeProvider.System, factory, _ => null);
        using var withKey = new RuntimeTelemetry(keyed, TimeProvider.System, factory, _ => null);
        using var none = new RuntimeTelemetry(omitted, TimeProvider.System, factory, _ => null);

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("tenant-a")))[..16];
        Assert.Multiple(() =>
        {
            Assert.That(plain.TenantAttribute("tenant-a"), Is.EqualTo(expected));
            Assert.That(plain.TenantAttribute("tenant-b"), Is.Not.EqualTo(expected));
            Assert.That(withKey.TenantAttribute("tenant-a"), Has.Length.EqualTo(16).And.Not.EqualTo(expected));
            Assert.That(none.TenantAttribute("tenant-a"), Is.Null);
        });
    }

    [Test]
    public async Task RequestSpan_CarriesTheTenantHash_NotTheTenant()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
        var root = capture.Trace(TraceTests.TraceIdOf(harness, result)).Single(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal));

        Assert.That(root.GetTagItem("aruntime.tenant.hash"), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("tenant-test")))[..16]));
    }

    [Test]
    public void CapturedContent_IsCutAtMaxContentLength()
    {
        var options = new ARuntimeOptions();
        options.Telemetry.CaptureMessageContent = true;
        options.Telemetry.MaxContentLength = 64;
        using var factory = new TestMeterFactory();
        using var telemetry = new RuntimeTelemetry(options, new FakeTimeProvider(), factory, _ => null);

        var text = ContentSerializer.InputMessages([AgentMessage.User(new string('x', 500))], new SecretRedactor(), telemetry.MaxContentLength);

        Assert.That(text, Has.Length.EqualTo(65).And.EndsWith("…"));
    }

    private static RuntimeRequest Request(AgentTestHarness harness) =>
        harness.NewRequest("Where is my order? " + PromptMarker, ObservedRuntime.ToolName) with
        {
            Task = new AgentTask { Prompt = "Where is my order? " + PromptMarker, Instructions = "Be brief. " + InstructionsMarker },
        };

    private static JsonDocument Json(Activity activity, string key)
    {
        var value = activity.GetTagItem(key) as string;
        Assert.That(value, Is.Not.Null, key + " on " + activity.DisplayName);
        return JsonDocument.Parse(value!);
    }

    private static IEnumerable<string> AllValues(IEnumerable<Activity> spans)
    {
        foreach (var span in spans)
        {
            yield return span.DisplayName;
            foreach (var tag in span.TagObjects)
            {
                yield return Render(tag.Value);
            }

            foreach (var e in span.Events)
            {
                yield return e.Name;
                foreach (var tag in e.Tags)
                {
                    yield return Render(tag.Value);
                }
            }
        }
    }

    private static string Render(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        IEnumerable<string> many => string.Join("|", many),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };

    [Desc("Looks up an account.")]
    private static object LookUpAccount(string account, SecretValue apiKey) => new { account, echoedKey = apiKey.Reveal() };

    private sealed class StaticSecrets : ISecretResolver
    {
        public ValueTask<SecretValue> ResolveAsync(SecretRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new SecretValue(request.Reference, Secret));
    }
}
