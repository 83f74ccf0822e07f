using System.Text.Json;
using ARuntime.Sdk.Admission;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Risk;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// Cancellation by the caller at any stage: the request terminates safely at the stage it was in (nothing further starts),
/// the stages it never reached say so, the terminal stages still run under the grace period, side effects that already
/// happened are compensated, and one that was cut off mid-way is reported as in doubt.
/// </summary>
public sealed class CancellationTests
{
    /// <summary>A stage and how to make a request block inside it until cancelled.</summary>
    public sealed record BlockingStage(LifecycleStage Stage, Action<ARuntimeBuilder, Signal> Configure, ScriptedReply[] Replies, string[] Tools, Func<RuntimeRequest, RuntimeRequest> Shape)
    {
        public override string ToString() => Stage.ToString();
    }

    public static IEnumerable<BlockingStage> Stages()
    {
        var answer = new[] { ScriptedReply.Answer("done") };
        var callThenAnswer = new[] { ScriptedReply.CallTool("lookup", new { key = "a" }), ScriptedReply.Answer("done") };
        static RuntimeRequest Same(RuntimeRequest r) => r;

        yield return new(LifecycleStage.Admission, (b, s) => b.AddAdmissionCheck(new BlockingAdmissionCheck(s)), answer, [], Same);
        yield return new(LifecycleStage.AuthorityResolution, (b, s) => b.UseAuthorityResolver(sp => new BlockingAuthority(s)), answer, [], Same);
        yield return new(LifecycleStage.RiskClassification, (b, s) => b.UseRiskClassifier(sp => new BlockingRisk(s)), answer, [], Same);
        yield return new(LifecycleStage.ContextAssembly, (b, s) => b.AddContextSource(new SignallingHangSource(s)), answer, [], r => r with { Context = [new ContextRequest { Source = "hang" }] });
        yield return new(LifecycleStage.ModelRouteSelection, (b, s) => b.UseModelRouter(sp => new BlockingRouter(s)), answer, [], Same);
        yield return new(LifecycleStage.Inference, (b, s) => { }, [ScriptedReply.Hang()], [], Same);
        yield return new(LifecycleStage.Authorization, (b, s) => b.AddLookup(new Counter()).UsePolicyEngine(sp => new BlockingToolPolicy(s, sp)), callThenAnswer, ["lookup"], Same);
        yield return new(LifecycleStage.ToolExecution, (b, s) => b.AddTool(BlockingTool("lookup", SideEffectClass.Read, s)), callThenAnswer, ["lookup"], Same);
        yield return new(LifecycleStage.Validation, (b, s) => b.AddAnswerValidator(new BlockingAnswerValidator(s)), answer, [], Same);
    }

    [TestCaseSource(nameof(Stages))]
    public async Task CancellationAtEachStage_TerminatesSafelyAtThatStage(BlockingStage blocking)
    {
        var entered = new Signal();
        await using var harness = AgentTestHarness.Create(b => blocking.Configure(b, entered), blocking.Replies);
        using var cts = new CancellationTokenSource();

        var run = harness.Runtime.RunAsync(blocking.Shape(FailureTestKit.Request("Do it.", blocking.Tools)), cts.Token);
        if (blocking.Stage == LifecycleStage.Inference)
        {
            await harness.Engine.WhenCalledAsync(1);
        }
        else
        {
            await entered.WhenEnteredAsync();
        }

        await cts.CancelAsync();
        var result = await run;

        var stages = harness.Evidence.StageRecords(result.RequestId);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Cancelled));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.Cancelled));
            Assert.That(result.Error.Stage, Is.EqualTo(blocking.Stage));
            Assert.That(result.Answer, Is.Null);
            Assert.That(stages.Last(r => r.Stage == blocking.Stage).Outcome, Is.EqualTo(StageOutcome.Cancelled));
        });

        if (blocking.Stage == LifecycleStage.Admission)
        {
            Assert.That(stages.Select(r => r.Stage), Is.EqualTo(new[] { LifecycleStage.Admission }), "a request cancelled before admission runs nothing else");
            return;
        }

        var byStage = stages.GroupBy(r => r.Stage).ToDictionary(g => g.Key, g => g.Last());
        Assert.Multiple(() =>
        {
            // Every case blocks in the first turn, so no later stage of the body ever ran.
            for (var stage = blocking.Stage + 1; stage <= LifecycleStage.HumanApproval; stage++)
            {
                Assert.That(byStage[stage].Outcome, Is.EqualTo(StageOutcome.NotReached), $"{stage} must not start after cancellation");
            }

            for (var stage = LifecycleStage.ResponseFinalization; stage <= LifecycleStage.IncidentRecovery; stage++)
            {
                Assert.That(byStage, Does.ContainKey(stage), $"terminal stage {stage} runs under the grace period");
            }

            Assert.That(byStage[LifecycleStage.ResponseFinalization].Outcome, Is.EqualTo(StageOutcome.Cancelled));
            var incident = harness.Evidence.Kind(result, EvidenceKinds.Incident).Single();
            Assert.That(incident.Attributes["failure.kind"], Is.EqualTo(nameof(FailureKind.Cancellation)));
            Assert.That(incident.ReasonCodes, Does.Contain("request.cancelled"));
            Assert.That(result.Stages.Select(s => s.Stage), Is.EquivalentTo(Enum.GetValues<LifecycleStage>()));
        });
    }

    [Test]
    public async Task CancellationAfterASideEffect_CompensatesIt()
    {
        var compensations = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(Reserve(compensations)),
            ScriptedReply.CallTool("reserve", new { seat = "12A" }),
            ScriptedReply.Hang());
        using var cts = new CancellationTokenSource();

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Reserve 12A, then think.", "reserve"), cts.Token);
        await harness.Engine.WhenCalledAsync(2);
        await cts.CancelAsync();
        var result = await run;

        var compensation = harness.Evidence.Kind(result, EvidenceKinds.Compensation).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Cancelled));
            Assert.That(result.Error!.Stage, Is.EqualTo(LifecycleStage.Inference));
            Assert.That(compensations.Value, Is.EqualTo(1));
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.Compensated));
            Assert.That(result.Qualifications, Has.Some.Contains("1 side effect(s) of this request were undone"));
            Assert.That(compensation.Decision, Is.EqualTo("compensated"));
            Assert.That(compensation.Attributes["changed_resources"], Is.EqualTo("seat:12A"));
        });
    }

    [Test]
    public async Task CancellationDuringASideEffect_ReportsTheOperationInDoubt()
    {
        var entered = new Signal();
        await using var harness = AgentTestHarness.Create(
            b => b.AllowWrites().AddTool(BlockingTool("send", SideEffectClass.Irreversible, entered)),
            ScriptedReply.CallTool("send", new { key = "msg-1" }),
            ScriptedReply.Answer("sent"));
        using var cts = new CancellationTokenSource();

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Send msg-1.", "send"), cts.Token);
        await entered.WhenEnteredAsync();
        await cts.CancelAsync();
        var result = await run;

        var call = result.ToolCalls.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Cancelled));
            Assert.That(call.Outcome, Is.Not.EqualTo(ToolCallOutcome.Succeeded));
            Assert.That(call.ReasonCodes, Has.Some.Matches<string>(r => r is "operation.in_doubt" or "tool.cancelled"), "the call is marked as cut off");
            Assert.That(result.Uncertainty, Has.Some.Contains("'send'").And.Contains("unknown"), "the caller is told the effect may or may not have happened");
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.ToolStarted), Has.Count.EqualTo(1), "the start of the side effect was recorded durably before it ran");
        });
    }

    [Test]
    public async Task CancellationBeforeAnyToolRuns_ReportsPlannedCallsNotAttempted()
    {
        var entered = new Signal();
        await using var harness = AgentTestHarness.Create(
            b => b.AddLookup(new Counter()).UsePolicyEngine(sp => new BlockingToolPolicy(entered, sp)),
            ScriptedReply.CallTool("lookup", new { key = "a" }));
        using var cts = new CancellationTokenSource();

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Look up a.", "lookup"), cts.Token);
        await entered.WhenEnteredAsync();
        await cts.CancelAsync();
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.NotAttempted));
            Assert.That(result.ToolCalls.Single().ReasonCodes, Does.Contain("request.cancelled"));
        });
    }

    private static AgentTool Reserve(Counter compensations) => AgentToolFactory.Create(
        (string seat) => ToolResult.Success(JsonSerializer.SerializeToElement(new { seat }), "seat:" + seat),
        o =>
        {
            o.Name = "reserve";
            o.PermissionClass = "kit.write";
            o.SideEffect = SideEffectClass.ReversibleWrite;
            o.Compensate = (_, _) =>
            {
                compensations.Increment();
                return ValueTask.FromResult(CompensationResult.Done);
            };
        });

    private static AgentTool BlockingTool(string name, SideEffectClass sideEffect, Signal entered) => AgentToolFactory.Create(
        async (string key, CancellationToken cancellationToken) =>
        {
            entered.Enter();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return key;
        },
        o =>
        {
            o.Name = name;
            o.PermissionClass = sideEffect > SideEffectClass.Read ? "kit.write" : "kit.read";
            o.SideEffect = sideEffect;
            if (sideEffect == SideEffectClass.ReversibleWrite)
            {
                o.Compensate = (_, _) => ValueTask.FromResult(CompensationResult.Done);
            }
        });

    private static async Task<T> BlockAsync<T>(Signal entered, CancellationToken cancellationToken)
    {
        entered.Enter();
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    private sealed class BlockingAdmissionCheck(Signal entered) : IAdmissionCheck
    {
        public async ValueTask<AgentError?> CheckAsync(RuntimeRequest request, CancellationToken cancellationToken = default) => await BlockAsync<AgentError?>(entered, cancellationToken);
    }

    private sealed class BlockingAuthority(Signal entered) : IAuthorityResolver
    {
        public async ValueTask<AuthorityGrant> ResolveAsync(AuthorityContext context, CancellationToken cancellationToken = default) => await BlockAsync<AuthorityGrant>(entered, cancellationToken);
    }

    private sealed class BlockingRisk(Signal entered) : IRiskClassifier
    {
        public async ValueTask<RiskAssessment> ClassifyAsync(RiskContext context, CancellationToken cancellationToken = default) => await BlockAsync<RiskAssessment>(entered, cancellationToken);
    }

    private sealed class BlockingRouter(Signal entered) : IModelRouter
    {
        public async ValueTask<RoutePlan> PlanAsync(RoutingContext context, CancellationToken cancellationToken = default) => await BlockAsync<RoutePlan>(entered, cancellationToken);
    }

    private sealed class SignallingHangSource(Signal entered) : IContextSource
    {
        public string Name => "hang";

        public async ValueTask<ContextSourceResult> FetchAsync(ContextQuery query, CancellationToken cancellationToken = default) => await BlockAsync<ContextSourceResult>(entered, cancellationToken);
    }

    private sealed class BlockingAnswerValidator(Signal entered) : IAnswerValidator
    {
        public async ValueTask<IReadOnlyList<string>> ValidateAsync(RuntimeRequest request, string answer, JsonElement? structuredAnswer, CancellationToken cancellationToken = default) =>
            await BlockAsync<IReadOnlyList<string>>(entered, cancellationToken);
    }

    /// <summary>Blocks on tool-call decisions only; every other decision goes to the default policy engine.</summary>
    private sealed class BlockingToolPolicy(Signal entered, IServiceProvider services) : IPolicyEngine
    {
        private readonly RuleBasedPolicyEngine inner = new(services.GetRequiredService<IOptions<ARuntimeOptions>>());

        public async ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default) =>
            context.Action == PolicyAction.ToolCall
                ? await BlockAsync<PolicyDecision>(entered, cancellationToken)
                : await inner.EvaluateAsync(context, cancellationToken);
    }
}
