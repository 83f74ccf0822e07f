using System.Text.Json;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Serialization;

namespace ARuntime.Sdk.Tests.Contracts;

/// <summary>Every contract round-trips losslessly through the source-generated context and carries its version.</summary>
public sealed class ContractSerializationTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));

    internal static RuntimeRequest FullRequest() => new()
    {
        Identity = new RequestIdentity
        {
            TenantId = "tenant-a",
            Actor = new ActorIdentity { Id = "alice", Kind = ActorKind.Human, Roles = ["orders.read", "support-agent"], DisplayName = "Alice" },
            Workload = new WorkloadIdentity { Id = "helpdesk", Release = "2.3.1" },
            DelegatedBy = [new DelegationLink { DelegatorId = "bob", DelegatorKind = ActorKind.Human, Scopes = ["orders.read"], ExpiresAt = Now.AddHours(1) }],
            SessionId = "s-1",
        },
        Task = new AgentTask
        {
            Prompt = "Refund order A-1 ✓ — ünïcode",
            Instructions = "Be brief.",
            History = [AgentMessage.User("hi"), AgentMessage.Assistant("hello")],
            Kind = "refund",
            Classification = DataClassification.Of(Sensitivity.Confidential, "pii"),
        },
        Risk = new RiskHints { Level = RiskLevel.High, RequireReview = true, Tags = ["payments"] },
        Context = [new ContextRequest { Source = "kb", Query = "refund policy", Required = true, MaxAge = TimeSpan.FromDays(30), MaxItems = 3, Scopes = ["emea"] }],
        Route = new ModelRoute
        {
            Deployment = "local",
            Fallbacks = ["remote"],
            RequiredCapabilities = new RouteCapabilities { ToolCalling = true, ContextTokens = 4096 },
            AllowedRegions = ["eu"],
            AllowedProviders = ["llama.cpp"],
            Precision = "Q4_K_M",
            MaxCostPerCall = 0.01m,
            MaxLatency = TimeSpan.FromSeconds(5),
            AllowCapabilityDowngrade = true,
        },
        AllowedTools = ["lookup_order", "refund_order"],
        Memory = new MemoryPolicy { Mode = MemoryMode.ReadWrite, Scope = MemoryScopeKind.Session, RetainFor = TimeSpan.FromDays(7) },
        Budget = new Budget { MaxPromptTokens = 1000, MaxGeneratedTokens = 200, MaxWallTime = TimeSpan.FromSeconds(30), MaxCost = 1.25m, MaxToolCalls = 3, MaxRetries = 2, MaxModelTurns = 4, MaxHumanReviews = 1 },
        Output = OutputContract.FromJson("""{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}""", "result"),
        Trace = new TraceContext { TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", SpanId = "00f067aa0ba902b7", Sampled = true, TraceState = "k=v" },
        Deadline = Now.AddMinutes(5),
        Retention = RetentionClass.Extended,
        IdempotencyKey = "idem-1",
        CorrelationId = "corr-1",
        Classification = DataClassification.Of(Sensitivity.Restricted, "pci"),
        Tags = new Dictionary<string, string> { ["channel"] = "email" },
    };

    private static void AssertRoundTrip<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        var first = JsonSerializer.Serialize(value, info);
        var back = JsonSerializer.Deserialize(first, info);
        var second = JsonSerializer.Serialize(back!, info);
        Assert.That(second, Is.EqualTo(first), "serializing the deserialized value must give the same JSON");
    }

    [Test]
    public void A_full_runtime_request_round_trips_losslessly()
    {
        var request = FullRequest();
        AssertRoundTrip(request, ARuntimeJsonContext.Default.RuntimeRequest);
        var back = JsonSerializer.Deserialize(JsonSerializer.Serialize(request, ARuntimeJsonContext.Default.RuntimeRequest), ARuntimeJsonContext.Default.RuntimeRequest)!;
        Assert.Multiple(() =>
        {
            Assert.That(back.Task.Prompt, Is.EqualTo(request.Task.Prompt));
            Assert.That(back.Budget, Is.EqualTo(request.Budget));
            Assert.That(back.Deadline, Is.EqualTo(request.Deadline));
            Assert.That(back.Classification, Is.EqualTo(request.Classification));
            Assert.That(back.Identity.DelegatedBy[0].Scopes, Is.EqualTo(new[] { "orders.read" }));
            Assert.That(back.Output!.Schema.GetProperty("required")[0].GetString(), Is.EqualTo("ok"));
        });
    }

    [Test]
    public void Contracts_serialize_with_camel_case_names_string_enums_and_their_version()
    {
        var json = JsonSerializer.Serialize(FullRequest(), ARuntimeJsonContext.Default.RuntimeRequest);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("contractVersion").GetString(), Is.EqualTo(ContractVersions.Current));
            Assert.That(root.GetProperty("retention").GetString(), Is.EqualTo("Extended"));
            Assert.That(root.GetProperty("identity").GetProperty("tenantId").GetString(), Is.EqualTo("tenant-a"));
            Assert.That(root.GetProperty("classification").GetProperty("labels")[0].GetString(), Is.EqualTo("pci"));
        });
    }

    [Test]
    public void Tool_descriptor_round_trips()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"id":{"type":"string"}}}""");
        AssertRoundTrip(new ToolDescriptor
        {
            Name = "refund_order",
            Version = "2.1.0",
            Description = "Refunds.",
            InputSchema = schema.RootElement.Clone(),
            OutputSchema = schema.RootElement.Clone(),
            PermissionClass = "orders.refund",
            SideEffect = SideEffectClass.Irreversible,
            Egress = ["payments.example.com"],
            AuthReference = "payments-api",
            Retry = new ToolRetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(50), RetryOnTimeout = true },
            Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["id"] },
            Compensation = new ToolCompensation { Description = "Reverse." },
            SupportsStatusQuery = true,
            Timeout = TimeSpan.FromSeconds(3),
            MaxConcurrency = 2,
            OutputClassification = DataClassification.Of(Sensitivity.Confidential, "pii"),
        }, ARuntimeJsonContext.Default.ToolDescriptor);
    }

    [Test]
    public void Policy_decision_round_trips()
    {
        using var args = JsonDocument.Parse("""{"amount":10}""");
        AssertRoundTrip(new PolicyDecision
        {
            Outcome = PolicyOutcome.RequireApproval,
            ReasonCodes = ["rule:big-refund"],
            PolicyVersion = "p/3",
            RuleId = "big-refund",
            Explanation = "Large refunds need a supervisor.",
            ExpiresAt = Now,
            TransformedArguments = args.RootElement.Clone(),
            Approval = new ApprovalRequirement { ApproverRoles = ["supervisor"], ExpiresAfter = TimeSpan.FromHours(2), AllowChanges = false },
        }, ARuntimeJsonContext.Default.PolicyDecision);
    }

    [Test]
    public void Evidence_record_round_trips()
    {
        AssertRoundTrip(new EvidenceRecord
        {
            RecordId = "ev_1",
            RequestId = "req_1",
            TenantId = "tenant-a",
            Sequence = 7,
            Stage = LifecycleStage.ToolExecution,
            Kind = "tool.call",
            Outcome = StageOutcome.Completed,
            Decision = "Succeeded",
            ReasonCodes = ["a", "b"],
            Timestamp = Now,
            Duration = TimeSpan.FromTicks(12_345),
            ActorId = "alice",
            CorrelationId = "corr",
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            SpanId = "00f067aa0ba902b7",
            Versions = new VersionSet { Model = "m@1", Engine = "e/1", PromptTemplate = "t", Tool = "x@1", Policy = "p", Schema = "s", RetrievalIndex = "r", Application = "app", Runtime = "rt" },
            Payloads = [new PayloadDigest { Name = "tool.arguments", Digest = new string('a', 64), Length = 20, Classification = DataClassification.Public }],
            Attributes = new Dictionary<string, string> { ["tool.name"] = "x" },
            Classification = DataClassification.Of(Sensitivity.Confidential),
            Retention = RetentionClass.LegalHold,
            Flags = ["degraded"],
        }, ARuntimeJsonContext.Default.EvidenceRecord);
    }

    [Test]
    public void Model_route_and_trace_context_round_trip()
    {
        var request = FullRequest();
        AssertRoundTrip(request.Route!, ARuntimeJsonContext.Default.ModelRoute);
        AssertRoundTrip(request.Trace!, ARuntimeJsonContext.Default.TraceContext);
    }

    [Test]
    public void Agent_events_round_trip_through_their_type_discriminator()
    {
        AgentEvent original = new StageCompletedEvent { RequestId = "r", Timestamp = Now, Stage = LifecycleStage.Validation, Outcome = StageOutcome.Degraded, Duration = TimeSpan.FromMilliseconds(3) };
        var json = JsonSerializer.Serialize(original, ARuntimeJsonContext.Default.AgentEvent);
        var back = JsonSerializer.Deserialize(json, ARuntimeJsonContext.Default.AgentEvent);
        Assert.Multiple(() =>
        {
            Assert.That(json, Does.Contain("\"type\":\"stage.completed\""));
            Assert.That(back, Is.EqualTo(original));
        });
    }

    [Test]
    public void Approval_ticket_and_decision_round_trip()
    {
        using var args = JsonDocument.Parse("""{"orderId":"A-1","amount":500}""");
        AssertRoundTrip(new ApprovalTicket
        {
            ApprovalId = "apr_1",
            RequestId = "req_1",
            TenantId = "tenant-a",
            RequestedBy = "alice",
            DelegatedBy = ["bob"],
            CallId = "call_1_0",
            ToolName = "refund_order",
            ToolVersion = "1.0.0",
            Arguments = args.RootElement.Clone(),
            SideEffect = SideEffectClass.ReversibleWrite,
            Explanation = "Large refund.",
            ReasonCodes = ["rule:large"],
            PolicyVersion = "p/1",
            Requirement = new ApprovalRequirement { ApproverRoles = ["supervisor"] },
            CreatedAt = Now,
            ExpiresAt = Now.AddHours(24),
            EvidenceRecordIds = ["ev_1", "ev_2"],
        }, ARuntimeJsonContext.Default.ApprovalTicket);
        AssertRoundTrip(new ApprovalDecision
        {
            ApprovalId = "apr_1",
            TenantId = "tenant-a",
            Approver = new ActorIdentity { Id = "carol", Roles = ["supervisor"] },
            Verdict = ApprovalVerdict.ApproveWithChanges,
            ChangedArguments = args.RootElement.Clone(),
            Comment = "ok at 500",
        }, ARuntimeJsonContext.Default.ApprovalDecision);
    }

    [Test]
    public void A_request_missing_a_required_member_is_a_json_error_not_a_partial_object()
    {
        Assert.That(() => JsonSerializer.Deserialize("""{"contractVersion":"1.0","task":{"prompt":"x"}}""", ARuntimeJsonContext.Default.RuntimeRequest),
            Throws.InstanceOf<JsonException>().With.Message.Contains("identity"));
    }
}
