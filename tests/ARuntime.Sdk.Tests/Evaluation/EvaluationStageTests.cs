using Desc = System.ComponentModel.DescriptionAttribute;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evaluation;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Observability;
using ARuntime.Sdk.Tests.Observability.Support;
using ARuntime.Sdk.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.Evaluation;

public sealed class EvaluationStageTests
{
    [Test]
    public async Task CompletedRun_IsScoredByEveryDefaultEvaluator_AndPasses()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var scores = result.Evaluations.ToDictionary(s => s.Metric);
        Assert.Multiple(() =>
        {
            Assert.That(scores.Keys, Is.EquivalentTo(new[]
            {
                "task.outcome", "safety.policy_denials", "safety.secret_redactions", "cost.total", "cost.tokens",
                "latency.wall_time", "latency.time_to_first_token", "evidence.completeness", "evidence.durable",
            }));
            Assert.That(result.Evaluations.Where(s => !s.Passed), Is.Empty);
            Assert.That(scores["task.outcome"].Value, Is.EqualTo(1));
            Assert.That(scores["evidence.completeness"].Value, Is.EqualTo(1));
            Assert.That(scores["cost.tokens"].Value, Is.EqualTo(362), "120 + 30 + 200 + 12");
            Assert.That(result.Evaluations.Select(s => s.Evaluator).Distinct(), Is.EqualTo(new[] { "outcome", "safety", "cost", "latency", "evidence" }));
        });
    }

    [Test]
    public async Task EveryScore_GoesToEvidence_ToTheRequestSpan_AndToMetrics()
    {
        using var capture = new TelemetryCapture();
        await using var harness = ObservedRuntime.Create(capture);

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var record = harness.Evidence.StageRecords(result.RequestId).Single(r => r.Stage == LifecycleStage.Evaluation);
        var root = capture.Trace(TraceTests.TraceIdOf(harness, result)).Single(a => a.DisplayName.StartsWith("invoke_agent", StringComparison.Ordinal));
        var events = root.Events.Where(e => e.Name == "gen_ai.evaluation.result").ToList();
        var counted = capture.Measurements("aruntime.evaluation.results");
        Assert.Multiple(() =>
        {
            Assert.That(result.Evaluations.Select(s => record.Attributes["score." + s.Metric]), Is.All.EndsWith(":pass"));
            Assert.That(result.Evaluations.Select(s => record.Attributes["evaluator." + s.Metric]), Is.EqualTo(result.Evaluations.Select(s => s.Evaluator)));
            Assert.That(record.Outcome, Is.EqualTo(StageOutcome.Completed));
            Assert.That(record.TraceId, Is.EqualTo(root.TraceId.ToHexString()));
            Assert.That(events.Select(e => e.Tags.First(t => t.Key == "gen_ai.evaluation.name").Value), Is.EqualTo(result.Evaluations.Select(s => s.Metric)));
            Assert.That(events.Select(e => e.Tags.First(t => t.Key == "gen_ai.evaluation.score.label").Value), Is.All.EqualTo("pass"));
            Assert.That(counted.Sum(m => m.Value), Is.EqualTo(result.Evaluations.Count));
            Assert.That(capture.Measurements("aruntime.evaluation.score").Where(m => m.Has("gen_ai.evaluation.name", "task.outcome")).Select(m => m.Value), Is.EqualTo(new[] { 1.0 }));
        });
    }

    [Test]
    public async Task RequestMissingAMandatoryStageRecord_ScoresIncomplete_AndNamesTheStage()
    {
        await using var harness = ObservedRuntime.Create(null);
        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
        var evidence = harness.Evidence.ForRequest(result.RequestId);
        var missingOne = evidence.Where(r => !(r.Kind == EvidenceKinds.Stage && r.Stage == LifecycleStage.ToolExecution)).ToList();
        var evaluator = new EvidenceCompletenessEvaluator();

        var complete = await evaluator.EvaluateAsync(Context(harness, result, evidence));
        var incomplete = await evaluator.EvaluateAsync(Context(harness, result, missingOne));

        Assert.Multiple(() =>
        {
            Assert.That(complete[0].Passed, Is.True);
            Assert.That(complete[0].Value, Is.EqualTo(1));
            Assert.That(incomplete[0].Metric, Is.EqualTo(EvidenceCompletenessEvaluator.Metric));
            Assert.That(incomplete[0].Passed, Is.False);
            Assert.That(incomplete[0].Value, Is.EqualTo(13.0 / 14));
            Assert.That(incomplete[0].Reason, Does.Contain(nameof(LifecycleStage.ToolExecution)));
        });
    }

    [Test]
    public async Task EvidenceNotMadeDurable_FailsTheDurabilityScore()
    {
        await using var harness = ObservedRuntime.Create(null);
        harness.Evidence.FailWhen = (record, _) => record.Kind == EvidenceKinds.Stage && record.Stage == LifecycleStage.MemoryDecision;

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var durable = result.Evaluations.Single(s => s.Metric == EvidenceCompletenessEvaluator.DurableMetric);
        Assert.Multiple(() =>
        {
            Assert.That(durable.Passed, Is.False);
            Assert.That(durable.Reason, Does.Contain("not made durable"));
            Assert.That(result.Evaluations.Single(s => s.Metric == EvidenceCompletenessEvaluator.Metric).Passed, Is.True, "the record was produced, only not persisted");
        });
    }

    [Test]
    public async Task PolicyDenial_FailsSafety_WithTheReasonCodes()
    {
        await using var harness = ObservedRuntime.Create(null, o => o.Policy.Rules.Add(new PolicyRule { Id = "orders-frozen", Outcome = PolicyOutcome.Deny, Tools = [ObservedRuntime.ToolName], Explanation = "Orders are frozen.", ReasonCodes = ["orders.frozen"] }));

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var denials = result.Evaluations.Single(s => s.Metric == SafetyEvaluator.PolicyDenialsMetric);
        Assert.Multiple(() =>
        {
            Assert.That(denials.Value, Is.EqualTo(1));
            Assert.That(denials.Passed, Is.False);
            Assert.That(denials.Reason, Does.Contain("orders.frozen"));
        });
    }

    [Test]
    public async Task PolicyDenialsWithinTheAllowance_PassSafety()
    {
        await using var harness = ObservedRuntime.Create(null, o =>
        {
            o.Evaluation.MaxPolicyDenials = 1;
            o.Policy.Rules.Add(new PolicyRule { Id = "orders-frozen", Outcome = PolicyOutcome.Deny, Tools = [ObservedRuntime.ToolName], Explanation = "Orders are frozen." });
        });

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        Assert.That(result.Evaluations.Single(s => s.Metric == SafetyEvaluator.PolicyDenialsMetric).Passed, Is.True);
    }

    [Test]
    public async Task CredentialEchoedByATool_FailsSafetyRedactions()
    {
        await using var harness = ObservedRuntime.Create(
            new TelemetryCapture(),
            configure: b => b.UseSecretResolver(new FixedSecret())
                .AddTool(Echo, o => { o.Name = "echo_key"; o.PermissionClass = ObservedRuntime.Permission; o.SideEffect = SideEffectClass.Read; o.AuthReference = "api-key"; }),
            replies: [ScriptedReply.CallTool("echo_key", new { note = "x" }), ScriptedReply.Answer("Done.")]);

        var result = await harness.RunAsync("Echo.", "echo_key");

        var redactions = result.Evaluations.Single(s => s.Metric == SafetyEvaluator.SecretRedactionsMetric);
        Assert.Multiple(() =>
        {
            Assert.That(redactions.Value, Is.EqualTo(1));
            Assert.That(redactions.Passed, Is.False);
        });
    }

    [Test]
    public async Task CostAndTokenTargets_AreScored()
    {
        await using var harness = ObservedRuntime.Create(null, o =>
        {
            o.Budgets.ToolPrices[ObservedRuntime.ToolName] = 0.25m;
            o.Evaluation.CostTarget = 0.10m;
            o.Evaluation.TokenTarget = 300;
        });

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var cost = result.Evaluations.Single(s => s.Metric == CostEvaluator.TotalMetric);
        var tokens = result.Evaluations.Single(s => s.Metric == CostEvaluator.TokensMetric);
        Assert.Multiple(() =>
        {
            Assert.That(cost.Value, Is.EqualTo(0.25));
            Assert.That(cost.Passed, Is.False);
            Assert.That(cost.Reason, Does.Contain("0.25").And.Contain("0.10"));
            Assert.That(tokens.Value, Is.EqualTo(362));
            Assert.That(tokens.Passed, Is.False);
        });
    }

    [Test]
    public async Task LatencyTargets_AreScoredInSeconds()
    {
        await using var harness = ObservedRuntime.Create(
            new TelemetryCapture(),
            o =>
            {
                o.Evaluation.LatencyTarget = TimeSpan.FromSeconds(2);
                o.Evaluation.TimeToFirstTokenTarget = TimeSpan.FromSeconds(1);
            },
            replies: [ScriptedReply.Answer("Slow.").After(TimeSpan.FromSeconds(5))]);

        var run = harness.RunAsync("Hi");
        await harness.Engine.WhenCalledAsync(1);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        var result = await run;

        var wall = result.Evaluations.Single(s => s.Metric == LatencyEvaluator.WallTimeMetric);
        var firstToken = result.Evaluations.Single(s => s.Metric == LatencyEvaluator.TimeToFirstTokenMetric);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(wall.Value, Is.EqualTo(5));
            Assert.That(wall.Passed, Is.False);
            Assert.That(firstToken.Value, Is.EqualTo(5));
            Assert.That(firstToken.Passed, Is.False);
        });
    }

    [Test]
    public async Task HostOutcomeChecks_OverTheStructuredAnswer_FailTheTaskOutcomeByName()
    {
        await using var harness = ObservedRuntime.Create(
            new TelemetryCapture(),
            configure: b => b
                .AddOutcomeCheck<Refund>("amount-positive", r => r.Amount > 0)
                .AddOutcomeCheck<Refund>("has-reason", r => !string.IsNullOrEmpty(r.Reason), "the refund names no reason")
                .AddOutcomeCheck("throws", _ => throw new InvalidOperationException("boom")),
            replies: [ScriptedReply.StructuredAnswer(new { amount = 12.5, reason = "" })]);
        var request = harness.NewRequest("Refund order A-1.", ObservedRuntime.ToolName) with
        {
            Output = OutputContract.FromJson("""{"type":"object","properties":{"amount":{"type":"number"},"reason":{"type":"string"}},"required":["amount","reason"]}""", "refund"),
        };

        var result = await harness.Runtime.RunAsync(request);

        var scores = result.Evaluations.ToDictionary(s => s.Metric);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(scores["task.check.output_contract"].Passed, Is.True);
            Assert.That(scores["task.check.amount-positive"].Passed, Is.True);
            Assert.That(scores["task.check.has-reason"].Passed, Is.False);
            Assert.That(scores["task.check.has-reason"].Reason, Is.EqualTo("the refund names no reason"));
            Assert.That(scores["task.check.throws"].Passed, Is.False);
            Assert.That(scores["task.check.throws"].Reason, Does.Contain(nameof(InvalidOperationException)));
            Assert.That(scores["task.outcome"].Passed, Is.False);
            Assert.That(scores["task.outcome"].Value, Is.EqualTo(0.5), "two of four checks passed");
            Assert.That(scores["task.outcome"].Reason, Does.Contain("has-reason").And.Contain("throws"));
        });
    }

    [Test]
    public void OutcomeCheckNames_AreValidated_AndMustBeUnique()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new TaskOutcomeCheck("Has Space", _ => true), Throws.ArgumentException.With.Message.Contains("Has Space"));
            Assert.That(() => new TaskOutcomeCheck(" ", _ => true), Throws.ArgumentException);
            Assert.That(
                () => AgentTestHarness.Create(b => b.AddOutcomeCheck("same", _ => true).AddOutcomeCheck("same", _ => false)),
                Throws.ArgumentException.With.Message.Contains("same"));
        });
    }

    [Test]
    public async Task ThrowingEvaluator_IsAFailedScore_AndTheRequestStillCompletes()
    {
        await using var harness = ObservedRuntime.Create(null, configure: b => b.AddEvaluator(new ThrowingEvaluator()));

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var failure = result.Evaluations.Single(s => s.Evaluator == "throwing");
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(failure.Metric, Is.EqualTo("throwing.error"));
            Assert.That(failure.Passed, Is.False);
            Assert.That(failure.Reason, Does.Contain(nameof(InvalidOperationException)));
            Assert.That(result.Stages.Single(s => s.Stage == LifecycleStage.Evaluation).Outcome, Is.EqualTo(StageOutcome.Degraded));
        });
    }

    [Test]
    public Task EvaluatorOverrunningItsTimeout_IsAFailedScore()
    {
        var hanging = new HangingEvaluator();
        return AssertTimedOutAfterThreeSecondsAsync(hanging, hanging.Entered.Task, "hanging");
    }

    [Test]
    public Task EvaluatorIgnoringItsCancellationToken_IsStillAFailedScoreAtItsTimeout_AndTheResultIsReturned()
    {
        var deaf = new DeafEvaluator();
        return AssertTimedOutAfterThreeSecondsAsync(deaf, deaf.Entered.Task, "deaf");
    }

    /// <summary>Runs a request whose only evaluator never answers in time; its score fails at the 3 s timeout and the request completes.</summary>
    private static async Task AssertTimedOutAfterThreeSecondsAsync(IEvaluator evaluator, Task entered, string name)
    {
        await using var harness = ObservedRuntime.Create(null, o => o.Evaluation.EvaluatorTimeout = TimeSpan.FromSeconds(3), b => b.AddEvaluator(evaluator), ScriptedReply.Answer("Hi."));

        var run = harness.RunAsync("Hi");
        await entered;

        // The stage arms the evaluator's timeout once the evaluator has returned, possibly after this thread saw it entered.
        await harness.Time.AdvanceUntilDoneAsync(run, TimeSpan.FromSeconds(1));
        Assert.That(run.IsCompleted, Is.True, "the evaluator's timeout ended the wait");
        var result = await run;

        var failure = result.Evaluations.Single(s => s.Evaluator == name);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(failure.Passed, Is.False);
            Assert.That(failure.Reason, Does.Contain("timed out after 3 s"));
        });
    }

    [Test]
    public async Task EvaluatorCutShortByTheGracePeriod_IsAFailedScore_AndTheRequestStillCompletes()
    {
        // A model-graded evaluator allowed more time than the grace period: its judge call is cancelled when the grace runs out.
        var slow = new GraceOverrunningEvaluator(TimeSpan.FromSeconds(6));
        await using var harness = ObservedRuntime.Create(
            null,
            o =>
            {
                o.TerminationGracePeriod = TimeSpan.FromSeconds(5);
                o.Evaluation.EvaluatorTimeout = TimeSpan.FromSeconds(30);
            },
            b => b.AddEvaluator(slow),
            ScriptedReply.Answer("Hi."));
        slow.Time = harness.Time;

        var result = await harness.RunAsync("Hi");

        var failure = result.Evaluations.SingleOrDefault(s => s.Evaluator == "judge");
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.Answer, Is.EqualTo("Hi."));
            Assert.That(failure?.Metric, Is.EqualTo("judge.error"));
            Assert.That(failure?.Passed, Is.False);
            Assert.That(failure?.Reason, Does.Contain("grace period"));
            Assert.That(result.Evaluations.Select(s => s.Metric), Does.Contain(EvidenceCompletenessEvaluator.Metric), "the other evaluators still score");
        });
    }

    [Test]
    public async Task HostEvaluator_RegisteredByType_IsCreatedThroughDependencyInjection()
    {
        await using var harness = ObservedRuntime.Create(null, configure: b => b.AddEvaluator<AnswerLengthEvaluator>().AddEvaluator<AnswerLengthEvaluator>());

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var length = result.Evaluations.Single(s => s.Metric == "answer.length");
        Assert.That(length.Value, Is.EqualTo("Your order shipped.".Length));
    }

    [Test]
    public void InvalidEvaluationOptions_FailAtStartup_NamingTheOption()
    {
        Assert.That(() => AgentTestHarness.Create(null, o => o.Evaluation.EvaluatorTimeout = TimeSpan.Zero),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Evaluation.EvaluatorTimeout"));
    }

    internal static EvaluationContext Context(AgentTestHarness harness, AgentResult result, IReadOnlyList<EvidenceRecord> evidence) =>
        new() { RequestId = result.RequestId, Request = harness.NewRequest("Where is my order A-1?", ObservedRuntime.ToolName), Result = result, Evidence = evidence };

    [Desc("Echoes its credential (a misbehaving tool).")]
    private static object Echo(string note, SecretValue key) => new { note, key = key.Reveal() };

    private sealed record Refund(double Amount, string Reason);

    private sealed class FixedSecret : ISecretResolver
    {
        public ValueTask<SecretValue> ResolveAsync(SecretRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new SecretValue(request.Reference, "key-3f9a1c77e2"));
    }

    private sealed class ThrowingEvaluator : IEvaluator
    {
        public string Name => "throwing";

        public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("evaluator bug");
    }

    private sealed class HangingEvaluator : IEvaluator
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "hanging";

        public async ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return [];
        }
    }

    /// <summary>Waits for something that never comes, without looking at its cancellation token.</summary>
    private sealed class DeafEvaluator : IEvaluator
    {
        private readonly TaskCompletionSource never = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "deaf";

        public async ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await never.Task;
            return [];
        }
    }

    /// <summary>Stands for a judge-model call that takes longer than the grace period and honours its token.</summary>
    private sealed class GraceOverrunningEvaluator(TimeSpan takes) : IEvaluator
    {
        public FakeTimeProvider? Time { get; set; }

        public string Name => "judge";

        public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default)
        {
            Time!.Advance(takes);
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult<IReadOnlyList<EvaluationScore>>([]);
        }
    }

    private sealed class AnswerLengthEvaluator : IEvaluator
    {
        public string Name => "answer";

        public ValueTask<IReadOnlyList<EvaluationScore>> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IReadOnlyList<EvaluationScore>>(
                [new EvaluationScore { Evaluator = Name, Metric = "answer.length", Value = context.Result.Answer?.Length ?? 0, Passed = true }]);
    }
}
