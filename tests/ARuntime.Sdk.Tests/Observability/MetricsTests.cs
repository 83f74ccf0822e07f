using System.Diagnostics.Metrics;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Observability.Support;

namespace ARuntime.Sdk.Tests.Observability;

public sealed class MetricsTests
{
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    [Test]
    public async Task Instruments_HaveTheConventionNamesTypesUnitsAndBucketAdvice()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);
        await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var instruments = capture.Instruments.ToDictionary(i => i.Name);
        Assert.Multiple(() =>
        {
            Expect<Histogram<long>>(instruments, "gen_ai.client.token.usage", "{token}");
            Expect<Histogram<double>>(instruments, "gen_ai.client.operation.duration", "s");
            Expect<Histogram<double>>(instruments, "gen_ai.client.operation.time_to_first_chunk", "s");
            Expect<Histogram<double>>(instruments, "gen_ai.server.time_to_first_token", "s");
            Expect<Histogram<double>>(instruments, "gen_ai.server.time_per_output_token", "s");
            Expect<Histogram<double>>(instruments, "gen_ai.invoke_agent.duration", "s");
            Expect<Histogram<double>>(instruments, "gen_ai.execute_tool.duration", "s");
            Expect<Histogram<double>>(instruments, "aruntime.stage.duration", "s");
            Expect<Histogram<double>>(instruments, "aruntime.inference.queue_wait", "s");
            Expect<Counter<long>>(instruments, "aruntime.policy.decisions", "{decision}");
            Expect<Histogram<double>>(instruments, "aruntime.evidence.write.duration", "s");
            Expect<Histogram<double>>(instruments, "aruntime.evidence.flush.duration", "s");
            Expect<Counter<long>>(instruments, "aruntime.evidence.write.failures", "{operation}");
            Expect<Histogram<double>>(instruments, "aruntime.evaluation.score", "{score}");
            Expect<Counter<long>>(instruments, "aruntime.evaluation.results", "{score}");

            Assert.That(((Histogram<long>)instruments["gen_ai.client.token.usage"]).Advice?.HistogramBucketBoundaries,
                Is.EqualTo(new long[] { 1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864 }));
            Assert.That(((Histogram<double>)instruments["gen_ai.client.operation.duration"]).Advice?.HistogramBucketBoundaries, Is.EqualTo(DurationBuckets));
            Assert.That(((Histogram<double>)instruments["gen_ai.execute_tool.duration"]).Advice?.HistogramBucketBoundaries, Is.EqualTo(DurationBuckets));
            Assert.That(((Histogram<double>)instruments["gen_ai.invoke_agent.duration"]).Advice?.HistogramBucketBoundaries,
                Is.EqualTo(new[] { 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6 }));
            Assert.That(instruments.Values.Select(i => i.Meter.Name), Is.All.EqualTo("ARuntime.Sdk"));
        });
    }

    [Test]
    public async Task OneToolCall_RecordsTokenUsageOperationToolAgentAndPolicyMeasurements()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var tokens = capture.Measurements("gen_ai.client.token.usage");
        var operations = capture.Measurements("gen_ai.client.operation.duration");
        var tools = capture.Measurements("gen_ai.execute_tool.duration");
        var agents = capture.Measurements("gen_ai.invoke_agent.duration");
        var policy = capture.Measurements("aruntime.policy.decisions");
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.Multiple(() =>
        {
            Assert.That(tokens.Where(m => m.Has("gen_ai.token.type", "input")).Select(m => m.Value), Is.EqualTo(new double[] { 120, 200 }));
            Assert.That(tokens.Where(m => m.Has("gen_ai.token.type", "output")).Select(m => m.Value), Is.EqualTo(new double[] { 30, 12 }));
            Assert.That(tokens.Concat(operations).Select(m => m.Tag("gen_ai.operation.name")), Is.All.EqualTo("chat"));
            Assert.That(tokens.Concat(operations).Select(m => m.Tag("gen_ai.provider.name")), Is.All.EqualTo("scripted"));
            Assert.That(tokens.Concat(operations).Select(m => m.Tag("gen_ai.request.model")), Is.All.EqualTo("scripted-model"));
            Assert.That(operations, Has.Count.EqualTo(2));
            Assert.That(operations.Select(m => m.Tag("error.type")), Is.All.Null);

            Assert.That(tools, Has.Count.EqualTo(1));
            Assert.That(tools[0].Tag("gen_ai.tool.name"), Is.EqualTo(ObservedRuntime.ToolName));
            Assert.That(tools[0].Tag("error.type"), Is.Null);

            Assert.That(agents, Has.Count.EqualTo(1));
            Assert.That(agents[0].Tag("gen_ai.agent.name"), Is.EqualTo("test-agent"));
            Assert.That(agents[0].Tag("aruntime.status"), Is.EqualTo("completed"));

            Assert.That(policy.Where(m => m.Has("aruntime.policy.action", "tool_call") && m.Has("aruntime.policy.outcome", "allow")).Sum(m => m.Value), Is.EqualTo(1));
            Assert.That(policy.Where(m => m.Has("aruntime.policy.action", "model_route")).Sum(m => m.Value), Is.EqualTo(1), "one route candidate");
            Assert.That(capture.Measurements("aruntime.inference.queue_wait"), Has.Count.EqualTo(2));
            Assert.That(capture.Measurements("aruntime.stage.duration").Select(m => m.Tag("aruntime.stage")), Does.Contain("tool_execution").And.Contain("evaluation"));
            Assert.That(capture.Measurements("gen_ai.client.operation.time_to_first_chunk"), Is.Empty, "not a streaming call");
            Assert.That(capture.Measurements("aruntime.evidence.flush.duration"), Has.Count.EqualTo(1), "evidence persistence flushes once");
            Assert.That(capture.Measurements("aruntime.evidence.write.failures"), Is.Empty);
        });
    }

    [Test]
    public async Task DeniedToolCall_IsCountedByOutcome_AndItsToolSpanNeverStarts()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture, o => o.Policy.Rules.Add(new PolicyRule { Id = "orders-frozen", Outcome = PolicyOutcome.Deny, Tools = [ObservedRuntime.ToolName], Explanation = "Orders are frozen.", ReasonCodes = ["orders.frozen"] }));

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var denials = capture.Measurements("aruntime.policy.decisions").Where(m => m.Has("aruntime.policy.outcome", "deny")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.Denied));
            Assert.That(denials, Has.Count.EqualTo(1));
            Assert.That(denials[0].Tag("gen_ai.tool.name"), Is.EqualTo(ObservedRuntime.ToolName));
            Assert.That(capture.Measurements("gen_ai.execute_tool.duration"), Is.Empty);
        });
    }

    [Test]
    public async Task CallsToToolsThatAreNotRegistered_AreCountedUnderOneToolNameValue_NotTheNameTheModelMadeUp()
    {
        // A model (or a prompt injection steering it) can name any tool: each made-up name must not become a new time series.
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(
            capture,
            replies:
            [
                ScriptedReply.CallTool("export_customer_4471_records", new { to = "attacker@example.com" }),
                ScriptedReply.CallTool("export_customer_9032_records", new { to = "attacker@example.com" }),
                ScriptedReply.Answer("I can't do that."),
            ]);

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var decisions = capture.Measurements("aruntime.policy.decisions").Where(m => m.Has("aruntime.policy.action", "tool_call")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.All.EqualTo(ToolCallOutcome.Denied));
            Assert.That(decisions, Has.Count.EqualTo(2));
            Assert.That(decisions.Select(m => m.Tag("gen_ai.tool.name")), Is.All.EqualTo("_OTHER"));
        });
    }

    [Test]
    public async Task StreamingRun_RecordsTimeToFirstChunk_OnTheMetricAndTheSpan()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture, replies: [ScriptedReply.Answer("A streamed answer that spans several chunks.")]);

        string? requestId = null;
        await foreach (var update in harness.Runtime.RunStreamingAsync(harness.NewRequest("Hi")))
        {
            requestId = update.RequestId;
        }

        var chat = capture.Trace(harness.Evidence.ForRequest(requestId!)[0].TraceId!).Single(a => a.DisplayName.StartsWith("chat", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(capture.Measurements("gen_ai.client.operation.time_to_first_chunk"), Has.Count.EqualTo(1));
            Assert.That(chat.GetTagItem("gen_ai.request.stream"), Is.EqualTo(true));
            Assert.That(chat.GetTagItem("gen_ai.response.time_to_first_chunk"), Is.TypeOf<double>());
        });
    }

    [Test]
    public async Task EvidenceWrites_AreTimed_AndFailedWritesAreCountedWithTheirErrorType()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);
        harness.Evidence.FailWhen = (record, _) => record.Kind == EvidenceKinds.Stage && record.Stage == LifecycleStage.MemoryDecision;

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var writes = capture.Measurements("aruntime.evidence.write.duration");
        var failures = capture.Measurements("aruntime.evidence.write.failures");
        Assert.Multiple(() =>
        {
            Assert.That(result.EvidenceDegraded, Is.True);
            Assert.That(writes.Count, Is.GreaterThanOrEqualTo(result.EvidenceRecordCount), "every record write is timed");
            Assert.That(writes.Select(m => m.Tag("aruntime.evidence.durability")), Is.All.AnyOf("acknowledged", "durable").And.Contains("acknowledged"));
            Assert.That(failures.Where(m => m.Has("aruntime.evidence.operation", "write")).Sum(m => m.Value), Is.EqualTo(harness.Evidence.FailedWrites));
            Assert.That(failures.Select(m => m.Tag("error.type")), Is.All.EqualTo(typeof(EvidenceWriteException).FullName));
            Assert.That(capture.Measurements("aruntime.evidence.flush.duration"), Is.Empty, "the flush is not reached while buffered records cannot be written");
        });
    }

    private static void Expect<T>(Dictionary<string, Instrument> instruments, string name, string unit)
        where T : Instrument
    {
        Assert.That(instruments.ContainsKey(name), Is.True, name + " is published");
        if (instruments.TryGetValue(name, out var instrument))
        {
            Assert.That(instrument, Is.InstanceOf<T>(), name);
            Assert.That(instrument.Unit, Is.EqualTo(unit), name);
            Assert.That(instrument.Description, Is.Not.Empty, name);
        }
    }
}
