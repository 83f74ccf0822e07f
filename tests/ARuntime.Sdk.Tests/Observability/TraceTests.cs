using System.Diagnostics;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Observability.Support;

namespace ARuntime.Sdk.Tests.Observability;

public sealed class TraceTests
{
    [Test]
    public async Task OneToolCall_ProducesInvokeAgentChatAndExecuteToolSpans_WithConventionNamesKindsAndParents()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
        var spans = capture.Trace(TraceIdOf(harness, result));

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        var root = spans.Single(a => a.DisplayName == "invoke_agent test-agent");
        var chats = spans.Where(a => a.DisplayName == "chat scripted-model").ToList();
        var tool = spans.Single(a => a.DisplayName == "execute_tool " + ObservedRuntime.ToolName);
        var stages = spans.Where(a => a.OperationName.StartsWith("aruntime.stage ", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(root.Kind, Is.EqualTo(ActivityKind.Internal));
            Assert.That(root.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "no caller trace and no ambient activity: the request span is a root");
            Assert.That(chats, Has.Count.EqualTo(2), "one chat span per inference attempt");
            Assert.That(chats.Select(c => c.Kind), Is.All.EqualTo(ActivityKind.Internal), "the scripted deployment runs in-process (region local)");
            Assert.That(chats.Select(c => Parent(spans, c)?.DisplayName), Is.All.EqualTo("aruntime.stage inference"));
            Assert.That(Parent(spans, tool)?.DisplayName, Is.EqualTo("aruntime.stage tool_execution"));
            Assert.That(tool.Kind, Is.EqualTo(ActivityKind.Internal));
            Assert.That(stages.Select(s => s.ParentSpanId), Is.All.EqualTo(root.SpanId), "stage spans are children of the request span");
            Assert.That(stages.Select(s => s.DisplayName), Does.Contain("aruntime.stage admission").And.Contain("aruntime.stage evaluation").And.Contain("aruntime.stage incident_recovery"));
            Assert.That(spans.Select(s => s.TraceId), Is.All.EqualTo(root.TraceId));
        });
    }

    [Test]
    public async Task Spans_CarryTheRequiredGenAiAndRuntimeAttributes()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture, o => o.AgentVersion = "2.1.0");
        var request = harness.NewRequest("Where is my order A-1?", ObservedRuntime.ToolName) with
        {
            Identity = harness.DefaultIdentity with { SessionId = "session-42" },
        };

        var result = await harness.Runtime.RunAsync(request);
        var spans = capture.Trace(TraceIdOf(harness, result));
        var root = spans.Single(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal));
        var firstChat = spans.First(a => a.DisplayName.StartsWith("chat", StringComparison.Ordinal));
        var tool = spans.Single(a => a.DisplayName.StartsWith("execute_tool", StringComparison.Ordinal));
        var authorization = spans.First(a => a.DisplayName == "aruntime.stage authorization");

        Assert.Multiple(() =>
        {
            Assert.That(root.GetTagItem("gen_ai.operation.name"), Is.EqualTo("invoke_agent"));
            Assert.That(root.GetTagItem("gen_ai.agent.name"), Is.EqualTo("test-agent"));
            Assert.That(root.GetTagItem("gen_ai.agent.id"), Is.EqualTo("test-agent"));
            Assert.That(root.GetTagItem("gen_ai.agent.version"), Is.EqualTo("2.1.0"));
            Assert.That(root.GetTagItem("gen_ai.conversation.id"), Is.EqualTo("session-42"));
            Assert.That(root.GetTagItem("gen_ai.provider.name"), Is.EqualTo("scripted"));
            Assert.That(root.GetTagItem("gen_ai.request.model"), Is.EqualTo("scripted-model"));
            Assert.That(root.GetTagItem("gen_ai.usage.input_tokens"), Is.EqualTo(320L));
            Assert.That(root.GetTagItem("gen_ai.usage.output_tokens"), Is.EqualTo(42L));
            Assert.That(root.GetTagItem("aruntime.request.id"), Is.EqualTo(result.RequestId));
            Assert.That(root.GetTagItem("aruntime.status"), Is.EqualTo("completed"));
            Assert.That(root.GetTagItem("aruntime.usage.tool_calls"), Is.EqualTo(1));
            Assert.That(root.Status, Is.EqualTo(ActivityStatusCode.Unset));

            Assert.That(firstChat.GetTagItem("gen_ai.operation.name"), Is.EqualTo("chat"));
            Assert.That(firstChat.GetTagItem("gen_ai.provider.name"), Is.EqualTo("scripted"));
            Assert.That(firstChat.GetTagItem("gen_ai.request.model"), Is.EqualTo("scripted-model"));
            Assert.That(firstChat.GetTagItem("gen_ai.response.model"), Is.EqualTo("scripted-model"));
            Assert.That(firstChat.GetTagItem("gen_ai.usage.input_tokens"), Is.EqualTo(120));
            Assert.That(firstChat.GetTagItem("gen_ai.usage.output_tokens"), Is.EqualTo(30));
            Assert.That(firstChat.GetTagItem("gen_ai.usage.cache_read.input_tokens"), Is.EqualTo(0));
            Assert.That(firstChat.GetTagItem("gen_ai.response.finish_reasons"), Is.EqualTo(new[] { "stop" }));
            Assert.That(firstChat.GetTagItem("gen_ai.output.type"), Is.EqualTo("json"), "tools are offered, so replies use the JSON envelope");
            Assert.That(firstChat.GetTagItem("gen_ai.request.max_tokens"), Is.Not.Null);
            Assert.That(firstChat.GetTagItem("gen_ai.conversation.id"), Is.EqualTo("session-42"));
            Assert.That(firstChat.GetTagItem("aruntime.deployment"), Is.EqualTo(AgentTestHarness.DeploymentName));
            Assert.That(firstChat.GetTagItem("aruntime.inference.attempt"), Is.EqualTo(1));

            Assert.That(tool.GetTagItem("gen_ai.operation.name"), Is.EqualTo("execute_tool"));
            Assert.That(tool.GetTagItem("gen_ai.tool.name"), Is.EqualTo(ObservedRuntime.ToolName));
            Assert.That(tool.GetTagItem("gen_ai.tool.call.id"), Is.EqualTo(result.ToolCalls.Single().CallId));
            Assert.That(tool.GetTagItem("gen_ai.tool.type"), Is.EqualTo("function"));
            Assert.That(tool.GetTagItem("gen_ai.tool.description"), Is.EqualTo("Gets an order's status."));
            Assert.That(tool.GetTagItem("aruntime.tool.outcome"), Is.EqualTo("succeeded"));
            Assert.That(tool.GetTagItem("aruntime.policy.outcome"), Is.EqualTo("allow"));

            Assert.That(authorization.GetTagItem("aruntime.stage"), Is.EqualTo("authorization"));
            Assert.That(authorization.GetTagItem("aruntime.stage.outcome"), Is.EqualTo("completed"));
            var decision = authorization.Events.Single(e => e.Name == "aruntime.policy.decision");
            Assert.That(decision.Tags, Does.Contain(new KeyValuePair<string, object?>("aruntime.policy.outcome", "allow")));
            Assert.That(decision.Tags, Does.Contain(new KeyValuePair<string, object?>("gen_ai.tool.name", ObservedRuntime.ToolName)));
        });
    }

    [Test]
    public async Task EvidenceRecords_CarryTheTraceIdAndTheSpanIdOfTheSpanTheyDescribe()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
        var records = harness.Evidence.ForRequest(result.RequestId);
        var spans = capture.Trace(records[0].TraceId!).ToDictionary(a => a.SpanId.ToHexString());

        var ran = records.Where(r => r.Kind == EvidenceKinds.Stage && r.Outcome != StageOutcome.NotReached).ToList();
        Assert.That(ran, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.TraceId).Distinct(), Has.Exactly(1).Items, "one trace id for the whole request");
            foreach (var record in ran)
            {
                Assert.That(spans.TryGetValue(record.SpanId!, out var span), Is.True, $"{record.Stage} record's span id names a captured span");
                Assert.That(span!.DisplayName, Is.EqualTo("aruntime.stage " + Snake(record.Stage)));
                Assert.That(span.StartTimeUtc, Is.EqualTo(record.Timestamp.UtcDateTime), "span and record share the start time");
            }

            foreach (var attempt in records.Where(r => r.Kind == EvidenceKinds.InferenceAttempt))
            {
                Assert.That(spans[attempt.SpanId!].DisplayName, Is.EqualTo("chat scripted-model"));
            }

            var toolRecord = records.Single(r => r.Kind == EvidenceKinds.ToolCall);
            Assert.That(spans[toolRecord.SpanId!].DisplayName, Is.EqualTo("execute_tool " + ObservedRuntime.ToolName));
            var policyRecord = records.Single(r => r.Kind == EvidenceKinds.PolicyDecision);
            Assert.That(spans[policyRecord.SpanId!].DisplayName, Is.EqualTo("aruntime.stage authorization"), "a record written inside a stage carries the stage's span");
        });
    }

    [Test]
    public async Task CallerTraceContext_IsTheParentOfTheRequestSpan_AndTheRecordsTraceId()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);
        var caller = new TraceContext { TraceId = ActivityTraceId.CreateRandom().ToHexString(), SpanId = ActivitySpanId.CreateRandom().ToHexString(), Sampled = true };

        var result = await harness.Runtime.RunAsync(harness.NewRequest("Where is my order A-1?", ObservedRuntime.ToolName) with { Trace = caller });
        var root = capture.Trace(caller.TraceId).Single(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(root.ParentSpanId.ToHexString(), Is.EqualTo(caller.SpanId));
            Assert.That(root.HasRemoteParent, Is.True);
            Assert.That(harness.Evidence.ForRequest(result.RequestId).Select(r => r.TraceId), Is.All.EqualTo(caller.TraceId));
        });
    }

    [Test]
    public async Task AmbientActivity_ParentsTheRequestSpan_AndItsRecordsJoinThatTrace()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);
        using var hostSource = new ActivitySource("ARuntime.Tests.Host");
        using var hostListener = new ActivityListener
        {
            ShouldListenTo = s => s == hostSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(hostListener);

        AgentResult result;
        ActivityTraceId hostTrace;
        ActivitySpanId hostSpan;
        using (var host = hostSource.StartActivity("host request"))
        {
            hostTrace = host!.TraceId;
            hostSpan = host.SpanId;
            result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
        }

        var root = capture.Trace(hostTrace.ToHexString()).Single(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(root.ParentSpanId, Is.EqualTo(hostSpan));
            Assert.That(harness.Evidence.ForRequest(result.RequestId).Select(r => r.TraceId), Is.All.EqualTo(hostTrace.ToHexString()));
        });
    }

    [Test]
    public async Task WithoutRecordedSpans_RecordsStillShareTheTraceId_AndEachStageHasItsOwnSpanId()
    {
        // The request's own trace context with the sampled flag off: whether or not any listener is present, nothing is
        // recorded for it, and the records alone must still correlate.
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("Hello."));
        var caller = new TraceContext { TraceId = ActivityTraceId.CreateRandom().ToHexString(), SpanId = ActivitySpanId.CreateRandom().ToHexString(), Sampled = false };

        var result = await harness.Runtime.RunAsync(harness.NewRequest("Hi") with { Trace = caller });
        var records = harness.Evidence.ForRequest(result.RequestId);
        var ran = records.Where(r => r.Kind == EvidenceKinds.Stage && r.Outcome != StageOutcome.NotReached).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.TraceId), Is.All.EqualTo(caller.TraceId));
            Assert.That(ran.Select(r => r.SpanId), Is.All.Matches<string?>(TraceContext.IsValidSpanId));
            Assert.That(ran.Select(r => r.SpanId).Distinct().Count(), Is.EqualTo(ran.Count), "each stage execution has its own span id");
            var attempt = records.Single(r => r.Kind == EvidenceKinds.InferenceAttempt);
            Assert.That(TraceContext.IsValidSpanId(attempt.SpanId), Is.True, "a detail record carries a span id too");
        });
    }

    [Test]
    public async Task StageSpansOff_ChatAndToolSpansAreChildrenOfTheRequestSpan()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture, o => o.Telemetry.StageSpans = false);

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
        var spans = capture.Trace(TraceIdOf(harness, result));
        var root = spans.Single(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(spans.Where(a => a.DisplayName.StartsWith("aruntime.stage", StringComparison.Ordinal)), Is.Empty);
            Assert.That(spans.Where(a => a != root).Select(a => a.ParentSpanId), Is.All.EqualTo(root.SpanId));
            Assert.That(spans, Has.Count.EqualTo(4), "request, two chats, one tool call");
        });
    }

    [Test]
    public async Task FailedInference_MarksChatAndRequestSpansAsErrors()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture, replies: [ScriptedReply.Overloaded()]);

        var result = await harness.RunAsync("Hello?");
        var spans = capture.Trace(TraceIdOf(harness, result));
        var root = spans.Single(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal));
        var chat = spans.Single(a => a.DisplayName.StartsWith("chat", StringComparison.Ordinal));
        var inference = spans.Single(a => a.DisplayName == "aruntime.stage inference");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(chat.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(chat.GetTagItem("error.type"), Is.EqualTo("overloaded"));
            Assert.That(inference.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(inference.GetTagItem("error.type"), Is.EqualTo(result.Error!.Code));
            Assert.That(root.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(root.GetTagItem("error.type"), Is.EqualTo(result.Error.Code));
            Assert.That(root.GetTagItem("aruntime.status"), Is.EqualTo("failed"));
        });
    }

    [Test]
    public async Task ResumedRequest_ContinuesItsTrace_UnderTheSpanItPausedIn()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture, o => o.Policy.Rules.Add(new PolicyRule { Id = "approve-orders", Outcome = PolicyOutcome.RequireApproval, Tools = [ObservedRuntime.ToolName] }));

        var paused = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
        var pausedRecords = harness.Evidence.ForRequest(paused.RequestId);
        var resumed = await harness.Runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = paused.PendingApproval!.ApprovalId,
            TenantId = "tenant-test",
            Approver = new ActorIdentity { Id = "approver", Roles = [] },
            Verdict = ApprovalVerdict.Approve,
        });

        var records = harness.Evidence.ForRequest(paused.RequestId);
        var traceId = records[0].TraceId!;
        var spans = capture.Trace(traceId);
        var requestSpans = spans.Where(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal)).ToList();
        var spanIds = spans.Select(a => a.SpanId.ToHexString()).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval));
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(records.Select(r => r.TraceId), Is.All.EqualTo(traceId), "both runs share the request's trace id");
            Assert.That(requestSpans, Has.Count.EqualTo(2));
            Assert.That(requestSpans[1].GetTagItem("aruntime.resumed"), Is.EqualTo(true));
            Assert.That(requestSpans[1].ParentSpanId.ToHexString(), Is.EqualTo(pausedRecords[^1].SpanId), "the resumed run hangs under the span the request paused in");
            Assert.That(records.Skip(pausedRecords.Count).Where(r => r.Kind == EvidenceKinds.Stage && r.Outcome != StageOutcome.NotReached).Select(r => r.SpanId),
                Is.All.Matches<string?>(id => spanIds.Contains(id!)), "the resumed run's stage records join its spans");
        });
    }

    internal static string TraceIdOf(AgentTestHarness harness, AgentResult result) =>
        harness.Evidence.ForRequest(result.RequestId)[0].TraceId!;

    private static Activity? Parent(IEnumerable<Activity> spans, Activity child) => spans.FirstOrDefault(s => s.SpanId == child.ParentSpanId);

    private static string Snake(LifecycleStage stage) => stage switch
    {
        LifecycleStage.Admission => "admission",
        LifecycleStage.AuthorityResolution => "authority_resolution",
        LifecycleStage.RiskClassification => "risk_classification",
        LifecycleStage.ContextAssembly => "context_assembly",
        LifecycleStage.ModelRouteSelection => "model_route_selection",
        LifecycleStage.Inference => "inference",
        LifecycleStage.ToolPlanning => "tool_planning",
        LifecycleStage.Authorization => "authorization",
        LifecycleStage.ToolExecution => "tool_execution",
        LifecycleStage.Validation => "validation",
        LifecycleStage.HumanApproval => "human_approval",
        LifecycleStage.ResponseFinalization => "response_finalization",
        LifecycleStage.MemoryDecision => "memory_decision",
        LifecycleStage.EvidencePersistence => "evidence_persistence",
        LifecycleStage.Evaluation => "evaluation",
        _ => "incident_recovery",
    };
}
