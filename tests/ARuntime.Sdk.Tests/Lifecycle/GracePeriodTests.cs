using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;
using ARuntime.Sdk.Validation;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.Lifecycle;

/// <summary>
/// The grace period bounds a request's closing work once it has to end; it does not start with the run. A request that
/// simply takes longer than the grace period (a slow local model) still runs its terminal stages and keeps its evidence.
/// </summary>
public sealed class GracePeriodTests
{
    [Test]
    public async Task A_request_longer_than_the_grace_period_still_finishes_its_books()
    {
        var slow = new ClockAdvancingValidator(TimeSpan.FromSeconds(45));
        await using var harness = AgentTestHarness.Create(
            b => b.AddAnswerValidator(slow),
            o => o.TerminationGracePeriod = TimeSpan.FromSeconds(30),
            ScriptedReply.Answer("Done after a long think."));
        slow.Time = harness.Time;

        var result = await harness.Runtime.RunAsync(Requests.Valid());
        var stages = harness.Evidence.StageRecords(result.RequestId);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.Answer, Is.EqualTo("Done after a long think."));
            Assert.That(stages.Select(r => r.Stage).Distinct().Count(), Is.EqualTo(16));
            Assert.That(stages.Where(r => r.Stage >= LifecycleStage.ResponseFinalization).Select(r => r.Outcome), Has.None.EqualTo(StageOutcome.Failed));
            Assert.That(stages.Single(r => r.Stage == LifecycleStage.EvidencePersistence).Decision, Is.EqualTo("durable"));
        });
    }

    /// <summary>Stands for slow work inside the tool loop: validating the answer takes the clock past the grace period.</summary>
    private sealed class ClockAdvancingValidator(TimeSpan by) : IAnswerValidator
    {
        public FakeTimeProvider? Time { get; set; }

        public ValueTask<IReadOnlyList<string>> ValidateAsync(RuntimeRequest request, string answer, JsonElement? structuredAnswer, CancellationToken cancellationToken = default)
        {
            Time!.Advance(by);
            return ValueTask.FromResult<IReadOnlyList<string>>([]);
        }
    }
}
