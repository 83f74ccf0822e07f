using System.Diagnostics;
using System.Diagnostics.Metrics;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// Values a caller or host may legitimately send — a budget of <see cref="TimeSpan.MaxValue"/>, a deadline months ahead, a
/// grace period or retention of years — and stores that fail: the runtime answers each with a result, never an exception.
/// (Timers hold at most about 49.7 days and date arithmetic overflows near year 9999.)
/// </summary>
public sealed class ExtremeValueTests
{
    [Test]
    public async Task A_wall_time_budget_of_TimeSpan_MaxValue_runs()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(Requests.Valid() with { Budget = new Budget { MaxWallTime = TimeSpan.MaxValue } });

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
    }

    [Test]
    public async Task A_deadline_months_ahead_runs_when_the_host_sets_no_wall_time_limit()
    {
        await using var harness = AgentTestHarness.Create(null, o => o.Budgets.MaxWallTime = null, ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(Requests.Valid() with { Deadline = harness.Time.GetUtcNow().AddDays(60) });

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
    }

    [Test]
    public async Task Host_limits_of_months_and_years_run()
    {
        await using var harness = AgentTestHarness.Create(
            null,
            o =>
            {
                o.TerminationGracePeriod = TimeSpan.FromDays(60);
                o.Budgets.MaxWallTime = TimeSpan.FromDays(60);
                o.Idempotency.Retention = TimeSpan.MaxValue;
            },
            ScriptedReply.Answer("done"));

        var first = await harness.Runtime.RunAsync(Requests.Valid() with { IdempotencyKey = "k-1" });
        var repeat = await harness.Runtime.RunAsync(Requests.Valid() with { IdempotencyKey = "k-1" });

        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(AgentRunStatus.Completed), first.Error?.Message);
            Assert.That(repeat.RequestId, Is.EqualTo(first.RequestId), "the key is kept (its expiry saturates instead of overflowing)");
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_approval_store_that_fails_gives_a_typed_result_from_ResumeAsync()
    {
        await using var harness = AgentTestHarness.Create(
            b => b.Services.RemoveAll<IApprovalStore>().AddSingleton<IApprovalStore>(new FailingApprovalStore()),
            ScriptedReply.Answer("unused"));

        var result = await harness.Runtime.ResumeAsync(new ApprovalDecision
        {
            TenantId = SampleTools.Identity(SampleTools.AgentRoles).TenantId,
            ApprovalId = "apr_1",
            Approver = new ActorIdentity { Id = "bob" },
            Verdict = ApprovalVerdict.Approve,
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.Internal));
            Assert.That(result.Error?.Message, Does.Contain(nameof(IOException)));
            Assert.That(result.Error?.Stage, Is.EqualTo(LifecycleStage.HumanApproval));
        });
    }

    [Test]
    public async Task A_journal_that_fails_gives_a_typed_exception_from_GetStatusAsync()
    {
        var journal = new FailingReadJournal();
        await using var harness = AgentTestHarness.Create(
            b => b.Services.RemoveAll<IRequestJournal>().AddSingleton<IRequestJournal>(journal),
            ScriptedReply.Answer("done"));
        var result = await harness.Runtime.RunAsync(Requests.Valid());
        journal.Fail = true;

        var thrown = await Assert.ThrowsAsync<RequestJournalUnavailableException>(() => harness.Runtime.GetStatusAsync(result.TenantId!, result.RequestId));

        Assert.That(thrown!.InnerException, Is.InstanceOf<IOException>());
    }

    [Test]
    public async Task A_fault_outside_every_stage_ends_as_a_typed_result_with_the_journal_and_the_key_closed()
    {
        // A host's telemetry listener that throws while a stage span stops: nothing inside the lifecycle can catch it.
        using var listener = ListenerThrowingWhenStopped(name => name.EndsWith(" inference", StringComparison.Ordinal));
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("done"), ScriptedReply.Answer("again"));

        var result = await harness.Runtime.RunAsync(Requests.Valid() with { IdempotencyKey = "k-fault" });
        var status = await harness.Runtime.GetStatusAsync(result.TenantId!, result.RequestId);
        var repeat = await harness.Runtime.RunAsync(Requests.Valid() with { IdempotencyKey = "k-fault" });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.Internal));
            Assert.That(result.Error?.Message, Does.Contain(nameof(InvalidOperationException)));
            Assert.That(result.RequestId, Is.Not.Empty);
            Assert.That(status?.State, Is.EqualTo(RequestState.Finished), "the journal does not keep the request running");
            Assert.That(status?.FinalStatus, Is.EqualTo(AgentRunStatus.Failed));
            Assert.That(repeat.RequestId, Is.EqualTo(result.RequestId), "a retry under the key is answered with the recorded failure, not run again");
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_fault_after_the_request_finished_leaves_its_result_standing()
    {
        // The listener throws when the request's own span stops: after the journal and the idempotency key were closed.
        using var listener = ListenerThrowingWhenStopped(name => name.StartsWith("invoke_agent", StringComparison.Ordinal));
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("done"), ScriptedReply.Answer("again"));

        var result = await harness.Runtime.RunAsync(Requests.Valid() with { IdempotencyKey = "k-late" });
        var status = await harness.Runtime.GetStatusAsync(result.TenantId!, result.RequestId);
        var repeat = await harness.Runtime.RunAsync(Requests.Valid() with { IdempotencyKey = "k-late" });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.Answer, Is.EqualTo("done"));
            Assert.That(status?.FinalStatus, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(repeat.Status, Is.EqualTo(AgentRunStatus.Completed), "the key replays the decided result, not a failure");
            Assert.That(repeat.Answer, Is.EqualTo("done"));
        });
    }

    [Test]
    public async Task A_stream_ends_with_its_result_even_when_a_metrics_listener_throws_at_the_end()
    {
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "gen_ai.invoke_agent.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("listener bug"));
        meters.Start();
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("done"));

        var completions = new List<RunCompletedEvent>();
        await foreach (var update in harness.Runtime.RunStreamingAsync(Requests.Valid()))
        {
            if (update is RunCompletedEvent completed)
            {
                completions.Add(completed);
            }
        }

        Assert.That(completions, Has.Count.EqualTo(1));
        Assert.That(completions[0].Result.Status, Is.EqualTo(AgentRunStatus.Completed));
    }

    [Test]
    public async Task A_journal_that_hangs_does_not_hang_a_request_without_a_deadline()
    {
        var journal = new HangingJournal();
        await using var harness = AgentTestHarness.Create(
            b => b.Services.RemoveAll<IRequestJournal>().AddSingleton<IRequestJournal>(journal),
            o =>
            {
                o.Budgets.MaxWallTime = null;
                o.TerminationGracePeriod = TimeSpan.FromSeconds(30);
            },
            ScriptedReply.Answer("done"));

        var run = harness.Runtime.RunAsync(Requests.Valid());
        Assert.That(await journal.Calls.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "the run reaches the journal");
        Assert.That(run.IsCompleted, Is.False, "the request waits for the journal");

        // Each journal write is bounded by the grace period on its own: advance the clock past it whenever the run is
        // waiting in another write (no sleeps: the journal signals each call).
        var writes = 1;
        while (!run.IsCompleted && writes < 10)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(31));
            var next = journal.Calls.WaitAsync(TimeSpan.FromSeconds(30));
            if (await Task.WhenAny(run, next) == next && await next)
            {
                writes++;
            }
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), "the journal is bookkeeping; the answer stands");
    }

    private sealed class HangingJournal : IRequestJournal
    {
        public SemaphoreSlim Calls { get; } = new(0);

        public async ValueTask UpsertAsync(RequestJournalEntry entry, CancellationToken cancellationToken = default)
        {
            Calls.Release();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        public ValueTask<RequestJournalEntry?> GetAsync(string tenantId, string requestId, CancellationToken cancellationToken = default) => ValueTask.FromResult<RequestJournalEntry?>(null);

        public async IAsyncEnumerable<RequestJournalEntry> ListRunningAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            yield break;
        }
    }

    /// <summary>A host telemetry listener with a bug: it throws when a span whose name matches stops.</summary>
    private static ActivityListener ListenerThrowingWhenStopped(Func<string, bool> operationName)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ARuntime.Sdk",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (operationName(activity.OperationName))
                {
                    throw new InvalidOperationException("listener bug");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private sealed class FailingApprovalStore : IApprovalStore
    {
        public ValueTask SaveAsync(PausedRequest request, CancellationToken cancellationToken = default) => throw new IOException("disk gone");

        public ValueTask<PausedRequest?> GetAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default) => throw new IOException("disk gone");

        public ValueTask<PausedRequest?> TryClaimAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default) => throw new IOException("disk gone");

        public IAsyncEnumerable<ApprovalTicket> ListPendingAsync(string tenantId, CancellationToken cancellationToken = default) => throw new IOException("disk gone");
    }

    private sealed class FailingReadJournal : IRequestJournal
    {
        private readonly InMemoryRequestJournal inner = new();

        public bool Fail { get; set; }

        public ValueTask UpsertAsync(RequestJournalEntry entry, CancellationToken cancellationToken = default) => inner.UpsertAsync(entry, cancellationToken);

        public ValueTask<RequestJournalEntry?> GetAsync(string tenantId, string requestId, CancellationToken cancellationToken = default) =>
            Fail ? throw new IOException("journal unreadable") : inner.GetAsync(tenantId, requestId, cancellationToken);

        public IAsyncEnumerable<RequestJournalEntry> ListRunningAsync(CancellationToken cancellationToken = default) => inner.ListRunningAsync(cancellationToken);
    }
}
