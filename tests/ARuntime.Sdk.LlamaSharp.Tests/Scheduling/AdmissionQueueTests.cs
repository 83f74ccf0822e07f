using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Scheduling;

namespace ARuntime.Sdk.LlamaSharp.Tests.Scheduling;

public sealed class AdmissionQueueTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Tenants_AreServedRoundRobin()
    {
        var queue = new AdmissionQueue();
        foreach (var (tenant, name) in new[] { ("a", "a1"), ("a", "a2"), ("a", "a3"), ("b", "b1"), ("c", "c1"), ("b", "b2") })
        {
            Assert.That(queue.TryEnqueue(Job(tenant, name), capacity: 10), Is.True);
        }

        Assert.That(DrainNames(queue), Is.EqualTo(new[] { "a1", "b1", "c1", "a2", "b2", "a3" }));
    }

    [Test]
    public void WithinATenant_EarlierDeadlinesGoFirst_ArrivalOrderOtherwise()
    {
        var queue = new AdmissionQueue();
        queue.TryEnqueue(Job("t", "none1"), 10);
        queue.TryEnqueue(Job("t", "late", Now.AddSeconds(60)), 10);
        queue.TryEnqueue(Job("t", "soon", Now.AddSeconds(5)), 10);
        queue.TryEnqueue(Job("t", "none2"), 10);
        queue.TryEnqueue(Job("t", "soon2", Now.AddSeconds(5)), 10);

        Assert.That(DrainNames(queue), Is.EqualTo(new[] { "soon", "soon2", "late", "none1", "none2" }));
    }

    [Test]
    public void Capacity_BoundsWaitingRequests_ButNotResumedOnes()
    {
        var queue = new AdmissionQueue();

        var accepted = new[] { queue.TryEnqueue(Job("a", "1"), 2), queue.TryEnqueue(Job("b", "2"), 2), queue.TryEnqueue(Job("c", "3"), 2) };
        queue.EnqueueResumed(Job("r", "resumed"));

        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.EqualTo(new[] { true, true, false }));
            Assert.That(queue.Count, Is.EqualTo(2));
            Assert.That(DrainNames(queue)[0], Is.EqualTo("resumed"), "paused sequences resume before new requests");
        });
    }

    [Test]
    public void JobThatDoesNotFit_StaysFirstInLine()
    {
        var queue = new AdmissionQueue();
        queue.TryEnqueue(Job("a", "big"), 10);
        queue.TryEnqueue(Job("b", "small"), 10);

        var taken = queue.TryDequeue(j => j.Request.RequestId != "big", out var rejected);

        Assert.Multiple(() =>
        {
            Assert.That(taken, Is.Null, "no request jumps the line, so a large one is never starved");
            Assert.That(rejected!.Request.RequestId, Is.EqualTo("big"));
            Assert.That(queue.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public void RemoveWhere_TakesMatchingJobsFromEveryQueue()
    {
        var queue = new AdmissionQueue();
        queue.TryEnqueue(Job("a", "keep"), 10);
        queue.TryEnqueue(Job("b", "drop1"), 10);
        queue.EnqueueResumed(Job("c", "drop2"));

        var removed = queue.RemoveWhere(j => j.Request.RequestId!.StartsWith("drop", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(removed.Select(j => j.Request.RequestId), Is.EquivalentTo(new[] { "drop1", "drop2" }));
            Assert.That(queue.Count, Is.EqualTo(1));
            Assert.That(DrainNames(queue), Is.EqualTo(new[] { "keep" }));
        });
    }

    private static List<string> DrainNames(AdmissionQueue queue)
    {
        var names = new List<string>();
        while (queue.TryDequeue(_ => true, out _) is { } job)
        {
            names.Add(job.Request.RequestId!);
        }

        return names;
    }

    private static InferenceJob Job(string tenant, string name, DateTimeOffset? deadline = null) => new(
        0,
        new InferenceRequest { Messages = [Contracts.AgentMessage.User("x")], TenantId = tenant, RequestId = name, Deadline = deadline },
        [],
        0,
        1,
        [],
        null,
        0,
        streaming: false);
}
