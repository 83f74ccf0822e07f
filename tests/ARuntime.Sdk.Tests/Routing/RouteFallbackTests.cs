using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Failures;

namespace ARuntime.Sdk.Tests.Routing;

/// <summary>
/// The model route with fallback, and the "model timeout or refusal" row: the first eligible deployment within policy;
/// fallback on timeout, refusal, overload or engine error only within policy and budget; a capability-changing fallback is
/// reported as a qualified result; every attempt is in evidence with its route, model version, attempt number and status.
/// </summary>
public sealed class RouteFallbackTests
{
    private static readonly ModelDeployment Primary = new() { Name = "primary", Timeout = TimeSpan.FromSeconds(5) };

    private static ModelRoute PrimaryThenBackup => new() { Deployment = "primary", Fallbacks = ["backup"] };

    private static AgentTestHarness Create(EngineSlot backup, ModelDeployment? backupDeployment, ScriptedReply[] backupReplies, Action<ARuntimeBuilder>? more, Action<ARuntimeOptions>? options, params ScriptedReply[] primaryReplies) =>
        AgentTestHarness.Create(
            b =>
            {
                b.AddOnHarnessEngine(Primary).AddScripted(backupDeployment ?? new ModelDeployment { Name = "backup" }, backup, backupReplies);
                more?.Invoke(b);
            },
            options,
            primaryReplies);

    [Test]
    public async Task PrimaryTimesOut_FallsBackToTheSecondDeployment()
    {
        var backup = new EngineSlot();
        await using var harness = Create(backup, null, [ScriptedReply.Answer("from backup")], null, null, ScriptedReply.Hang());

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup });
        await harness.Engine.WhenCalledAsync(1);
        harness.Time.Advance(Primary.Timeout);
        var result = await run;

        var attempts = harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Answer, Is.EqualTo("from backup"));
            Assert.That(result.Deployment, Is.EqualTo("backup"));
            Assert.That(result.Qualifications, Does.Contain("Answered by fallback deployment 'backup'."));
            Assert.That(result.Usage.Retries, Is.EqualTo(1), "a fallback is a retry and counts against the retry budget");
            Assert.That(attempts.Select(a => (a.Attributes["deployment"], a.Attributes["attempt"], a.Decision)), Is.EqualTo(new[] { ("primary", "1", "timeout"), ("backup", "2", "completed") }));
            Assert.That(attempts.Select(a => a.Outcome), Is.EqualTo(new[] { StageOutcome.TimedOut, StageOutcome.Completed }));
            Assert.That(attempts.Select(a => a.Versions.Model), Is.All.EqualTo("scripted-model@1"));
            Assert.That(attempts[1].Attributes["fallback"], Is.EqualTo("true"));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Inference).Outcome, Is.EqualTo(StageOutcome.Degraded));
        });
    }

    [Test]
    public async Task PrimaryFailingWithItsOwnCancellation_FallsBackToTheSecondDeployment()
    {
        // A remote engine's HttpClient timeout surfaces as TaskCanceledException with no token of the runtime cancelled.
        var backup = new EngineSlot();
        await using var harness = Create(backup, null, [ScriptedReply.Answer("from backup")], null, null, ScriptedReply.Throw(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.")));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup });

        var attempts = harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Answer, Is.EqualTo("from backup"));
            Assert.That(result.Qualifications, Does.Contain("Answered by fallback deployment 'backup'."));
            Assert.That(attempts.Select(a => (a.Attributes["deployment"], a.Decision)), Is.EqualTo(new[] { ("primary", "engine_error:TaskCanceledException"), ("backup", "completed") }));
        });
    }

    [Test]
    public async Task ContextMoreSensitiveThanADeploymentMayReceive_IsNotSentToIt()
    {
        var now = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var docs = new ScriptedContextSource("docs", ScriptedContextSource.Items(new ContextItem
        {
            Id = "salaries",
            Content = "Salary bands for 2026.",
            TenantId = FailureTestKit.Tenant,
            UpdatedAt = now,
            Classification = DataClassification.Of(Sensitivity.Confidential),
        }));
        var backup = new EngineSlot();
        await using var harness = AgentTestHarness.Create(
            b => b
                .AddOnHarnessEngine(new ModelDeployment { Name = "shared", MaxDataSensitivity = Sensitivity.Internal })
                .AddScripted(new ModelDeployment { Name = "backup" }, backup, ScriptedReply.Answer("from backup"))
                .AddContextSource(docs),
            ScriptedReply.Answer("from shared"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("What are the salary bands?") with
        {
            Route = new ModelRoute { Deployment = "shared", Fallbacks = ["backup"] },
            Context = [new ContextRequest { Source = "docs" }],
        });

        Assert.Multiple(() =>
        {
            Assert.That(harness.Engine.CallCount, Is.Zero, "confidential context never reaches a deployment cleared for internal data only");
            Assert.That(result.Answer, Is.EqualTo("from backup"));
            Assert.That(result.Deployment, Is.EqualTo("backup"));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.ModelRouteSelection).ReasonCodes, Does.Contain("route.data_too_sensitive:shared"));
        });
    }

    [Test]
    public async Task FallbackForbiddenByRegionPolicy_IsNotTaken()
    {
        var backup = new EngineSlot();
        await using var harness = Create(
            backup,
            new ModelDeployment { Name = "backup", Region = "us-east" },
            [ScriptedReply.Answer("from backup")],
            b => b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule
            {
                Id = "data-residency",
                Action = PolicyAction.ModelRoute,
                Outcome = PolicyOutcome.Deny,
                Condition = c => c.Region != "local",
                Explanation = "Data stays local.",
            })),
            null,
            ScriptedReply.Hang());

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup });
        await harness.Engine.WhenCalledAsync(1);
        harness.Time.Advance(Primary.Timeout);
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.InferenceFailed));
            Assert.That(result.Answer, Is.Null);
            Assert.That(backup.Calls, Is.Zero, "the forbidden deployment never saw the request");
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.ModelRouteSelection).ReasonCodes, Does.Contain("route.policy_denied(rule:data-residency):backup"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt), Has.Count.EqualTo(1));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.Incident).Single().Attributes["failure.kind"], Is.EqualTo(nameof(FailureKind.ModelTimeoutOrRefusal)));
        });
    }

    [Test]
    public async Task FallbackOutsideTheRoutesRegions_IsExcludedByTheRouter()
    {
        var backup = new EngineSlot();
        await using var harness = Create(backup, new ModelDeployment { Name = "backup", Region = "eu-west" }, [ScriptedReply.Answer("x")], null, null, ScriptedReply.Refusal());

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup with { AllowedRegions = ["local"] } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.ModelRefused));
            Assert.That(backup.Calls, Is.Zero);
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.ModelRouteSelection).ReasonCodes, Does.Contain("route.region_not_allowed:backup"));
        });
    }

    [Test]
    public async Task RefusalOnEveryDeployment_FailsBoundedWithModelRefused()
    {
        var backup = new EngineSlot();
        await using var harness = Create(backup, null, [ScriptedReply.Refusal()], null, null, ScriptedReply.Refusal());

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Do something forbidden.") with { Route = PrimaryThenBackup });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.ModelRefused));
            Assert.That(result.Answer, Is.Null);
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt).Select(a => a.Decision), Is.EqualTo(new[] { "refused", "refused" }));
            Assert.That(result.Usage.ModelTurns, Is.EqualTo(2), "refused calls still count as turns");
        });
    }

    [Test]
    public async Task OverloadedDeployment_FallsBack()
    {
        var backup = new EngineSlot();
        await using var harness = Create(backup, null, [ScriptedReply.Answer("ok")], null, null, ScriptedReply.Overloaded());

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Deployment, Is.EqualTo("backup"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt)[0].Decision, Is.EqualTo("overloaded"));
        });
    }

    [Test]
    public async Task EngineError_IsRetriedOnTheSameDeploymentWithinTheRetryBudget()
    {
        var backup = new EngineSlot();
        await using var harness = Create(
            backup, null, [ScriptedReply.Answer("backup")], null, o => o.Routing.MaxAttemptsPerDeployment = 2,
            ScriptedReply.Throw(new InferenceException("decode failed")), ScriptedReply.Answer("primary"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup });

        Assert.Multiple(() =>
        {
            Assert.That(result.Answer, Is.EqualTo("primary"));
            Assert.That(result.IsQualified, Is.False, "the preferred deployment answered");
            Assert.That(result.Usage.Retries, Is.EqualTo(1));
            Assert.That(backup.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task ModelUnavailable_IsNotRetriedOnTheSameDeployment_ButFallsBack()
    {
        // For example a llama.cpp engine whose scheduler stopped for good: another attempt there would fail the same way.
        var backup = new EngineSlot();
        await using var harness = Create(
            backup, null, [ScriptedReply.Answer("backup")], null, o => o.Routing.MaxAttemptsPerDeployment = 3,
            ScriptedReply.Throw(new InferenceException(InferenceFailureKind.ModelUnavailable, "the scheduler stopped")), ScriptedReply.Answer("primary"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.Answer, Is.EqualTo("backup"));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1), "no second attempt on the deployment whose model is gone");
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt)[0].Decision, Is.EqualTo("engine_error:ModelUnavailable"));
        });
    }

    [Test]
    public async Task EngineThrowingOutsideItsContract_IsIsolatedAsAnEngineError()
    {
        var backup = new EngineSlot();
        await using var harness = Create(backup, null, [ScriptedReply.Answer("ok")], null, null, ScriptedReply.Throw(new InvalidOperationException("bug")));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt)[0].Decision, Is.EqualTo("engine_error:InvalidOperationException"));
        });
    }

    [Test]
    public async Task RetryBudgetExhausted_NoFallbackIsTaken()
    {
        var backup = new EngineSlot();
        await using var harness = Create(backup, null, [ScriptedReply.Answer("ok")], null, null, ScriptedReply.Overloaded());

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup, Budget = new Budget { MaxRetries = 0 } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(backup.Calls, Is.Zero);
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Inference).ReasonCodes, Does.Contain("inference.budget.retries_exhausted"));
        });
    }

    [Test]
    public async Task FallbackOverTheCostBudget_IsSkipped()
    {
        var backup = new EngineSlot();
        var expensive = new ModelDeployment { Name = "backup", Pricing = new ModelPricing { PerMillionPromptTokens = 1_000_000m } };
        await using var harness = Create(backup, expensive, [ScriptedReply.Answer("ok")], null, null, ScriptedReply.Overloaded());

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup, Budget = new Budget { MaxCost = 0.5m } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(backup.Calls, Is.Zero, "its prompt alone costs more than the budget has left");
            Assert.That(result.Usage.Cost, Is.Zero);
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Inference).ReasonCodes, Does.Contain("route.cost_exceeds_budget:backup"));
        });
    }

    [Test]
    public async Task CapabilityChangingFallback_IsReportedAsAQualifiedResult()
    {
        var backup = new EngineSlot();
        var smaller = new ModelDeployment { Name = "backup", Capabilities = new RouteCapabilities { ToolCalling = true, ConstrainedOutput = true, ContextTokens = 4096 } };
        await using var harness = Create(backup, smaller, [ScriptedReply.Answer("small answer")], null, null, ScriptedReply.Overloaded());

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup with { AllowCapabilityDowngrade = true } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.IsQualified, Is.True);
            Assert.That(result.Qualifications, Does.Contain("Answered by fallback deployment 'backup', which offers fewer capabilities than the preferred one."));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt)[1].Attributes["capability_downgrade"], Is.EqualTo("true"));
        });
    }

    [Test]
    public async Task CapabilityChangingFallback_IsExcludedUnlessTheRouteAllowsIt()
    {
        var backup = new EngineSlot();
        var smaller = new ModelDeployment { Name = "backup", Capabilities = new RouteCapabilities { ContextTokens = 4096 } };
        await using var harness = Create(backup, smaller, [ScriptedReply.Answer("small answer")], null, null, ScriptedReply.Overloaded());

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = PrimaryThenBackup });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(backup.Calls, Is.Zero);
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.ModelRouteSelection).ReasonCodes, Does.Contain("route.capability_downgrade_not_allowed:backup"));
        });
    }

    [Test]
    public async Task RouteMaxLatency_ExcludesSlowDeploymentsAndBoundsEachAttempt()
    {
        var slow = new EngineSlot();
        await using var harness = AgentTestHarness.Create(
            b => b.AddScripted(new ModelDeployment { Name = "slow", ExpectedLatency = TimeSpan.FromSeconds(10) }, slow, ScriptedReply.Answer("never")),
            ScriptedReply.Hang());
        var route = new ModelRoute { Deployment = "slow", Fallbacks = [AgentTestHarness.DeploymentName], MaxLatency = TimeSpan.FromSeconds(2) };

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = route });
        await harness.Engine.WhenCalledAsync(1);
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(slow.Calls, Is.Zero);
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.ModelRouteSelection).ReasonCodes, Does.Contain("route.latency_exceeds_limit:slow"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt).Single().Decision, Is.EqualTo("timeout"), "held to the route's 2 s, not the deployment's 2 min timeout");
        });
    }

    [Test]
    public async Task RouteMaxCostPerCall_CapsTheTokensACallMayGenerate()
    {
        await using var harness = AgentTestHarness.Create(
            b => b.AddOnHarnessEngine(new ModelDeployment { Name = "metered", Pricing = new ModelPricing { PerMillionGeneratedTokens = 1000m } }),
            ScriptedReply.Answer("short"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Route = new ModelRoute { Deployment = "metered", MaxCostPerCall = 0.1m } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(harness.Engine.Requests[0].MaxOutputTokens, Is.EqualTo(100), "0.1 at 1000 per million tokens buys 100 tokens");
        });
    }
}
