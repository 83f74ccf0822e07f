using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Tools;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Tests.Approvals;

/// <summary>
/// Approvals that expire without a decision end their request on their own: the sweep claims the approval, ends the request
/// Expired (nothing it waited for runs, earlier side effects are compensated, journal and idempotency key closed) and
/// records that the runtime, not an approver, ended it.
/// </summary>
public sealed class ApprovalExpirySweepTests
{
    private static readonly ApprovalRequirement Supervisor = new() { ApproverRoles = ["supervisor"], ExpiresAfter = TimeSpan.FromHours(1) };

    /// <summary>A booking (compensable) runs at once; a payment waits for a supervisor for one hour.</summary>
    private sealed class Travel
    {
        public List<string> Booked { get; } = [];

        public List<string> Cancelled { get; } = [];

        public List<decimal> Paid { get; } = [];

        public AgentTestHarness Harness(Action<ARuntimeOptions>? options = null, Action<ARuntimeBuilder>? more = null, params ScriptedReply[] replies)
        {
            var harness = AgentTestHarness.Create(
                b =>
                {
                    b.AddTool((string step) => { Booked.Add(step); return "booked " + step; }, o =>
                    {
                        o.Name = "book";
                        o.PermissionClass = "travel.book";
                        o.SideEffect = SideEffectClass.ReversibleWrite;
                        o.Compensate = (request, _) =>
                        {
                            Cancelled.Add(request.Call.Arguments.GetProperty("step").GetString()!);
                            return ValueTask.FromResult(CompensationResult.Done);
                        };
                    })
                    .AddTool((decimal amount) => { Paid.Add(amount); return amount; }, o => { o.Name = "pay"; o.PermissionClass = "travel.book"; o.SideEffect = SideEffectClass.Irreversible; })
                    .ConfigurePolicy(p =>
                    {
                        p.Rules.Add(new PolicyRule { Id = "pay-needs-approval", Outcome = PolicyOutcome.RequireApproval, Tools = ["pay"], Approval = Supervisor });
                        p.Rules.Add(ToolTestKit.Allow("book"));
                    });
                    more?.Invoke(b);
                },
                options,
                replies.Length > 0 ? replies : [ScriptedReply.CallTool("book", new { step = "flight" }), ScriptedReply.CallTool("pay", new { amount = 300 }), ScriptedReply.Answer("paid")]);
            harness.DefaultIdentity = ToolTestKit.Identity("u1", "travel.book");
            return harness;
        }
    }

    private static ApprovalDecision Approve(AgentResult paused) => new()
    {
        ApprovalId = paused.PendingApproval!.ApprovalId,
        TenantId = paused.TenantId!,
        Approver = new ActorIdentity { Id = "sup-1", Roles = ["supervisor"] },
        Verdict = ApprovalVerdict.Approve,
    };

    [Test]
    public async Task An_expired_approval_is_ended_by_the_sweep_and_its_earlier_side_effect_undone()
    {
        var travel = new Travel();
        await using var harness = travel.Harness();
        var paused = await harness.RunAsync("Book and pay", "book", "pay");
        harness.Time.Advance(TimeSpan.FromHours(1));

        var sweep = await harness.ExpirySweeper.SweepAsync();

        var ended = sweep.Ended.Single();
        var status = await harness.Runtime.GetStatusAsync(paused.TenantId!, paused.RequestId);
        var decided = harness.Evidence.OfKind(paused.RequestId, EvidenceKinds.ApprovalDecided).Single();
        var lateResume = await harness.Runtime.ResumeAsync(Approve(paused));
        Assert.Multiple(() =>
        {
            Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval));
            Assert.That(sweep.Failed, Is.Zero);
            Assert.That(ended.RequestId, Is.EqualTo(paused.RequestId));
            Assert.That(ended.Status, Is.EqualTo(AgentRunStatus.Expired), ended.Error?.Message);
            Assert.That(ended.Error!.Code, Is.EqualTo(AgentErrorCodes.ApprovalExpired));
            Assert.That(travel.Paid, Is.Empty, "the call that waited never runs");
            Assert.That(travel.Cancelled, Is.EqualTo(new[] { "flight" }), "the booking made before the pause is compensated");
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2), "the model is not asked again");

            Assert.That(status!.State, Is.EqualTo(RequestState.Finished));
            Assert.That(status.FinalStatus, Is.EqualTo(AgentRunStatus.Expired));

            Assert.That(decided.Decision, Is.EqualTo("expired"));
            Assert.That(decided.Attributes["ended.by"], Is.EqualTo("expiry_sweep"));
            Assert.That(decided.Attributes.ContainsKey("approver.id"), Is.False, "no approver decided anything");
            Assert.That(harness.Evidence.OfKind(paused.RequestId, "tool.compensation"), Has.Count.EqualTo(1));

            Assert.That(lateResume.Status, Is.EqualTo(AgentRunStatus.Rejected));
            Assert.That(lateResume.Error!.Code, Is.EqualTo(AgentErrorCodes.ApprovalNotFound));
        });
    }

    [Test]
    public async Task Handlers_are_told_of_each_request_the_sweep_ended_and_one_that_throws_changes_nothing()
    {
        var told = new List<(ExpiredApproval Approval, AgentResult Result)>();
        var travel = new Travel();
        await using var harness = travel.Harness(more: b => b
            .OnApprovalExpired((_, _, _) => throw new InvalidOperationException("the mail server is down"))
            .OnApprovalExpired((approval, result, _) =>
            {
                told.Add((approval, result));
                return ValueTask.CompletedTask;
            }));
        var paused = await harness.RunAsync("Book and pay", "book", "pay");
        harness.Time.Advance(TimeSpan.FromMinutes(59));
        var early = await harness.ExpirySweeper.SweepAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        var sweep = await harness.ExpirySweeper.SweepAsync();

        Assert.Multiple(() =>
        {
            Assert.That(early.Ended, Is.Empty);
            Assert.That(sweep.Ended.Single().Status, Is.EqualTo(AgentRunStatus.Expired), "a throwing handler does not change the result");
            Assert.That(sweep.Failed, Is.Zero);
            var (approval, result) = told.Single();
            Assert.That(approval.ApprovalId, Is.EqualTo(paused.PendingApproval!.ApprovalId));
            Assert.That(approval.TenantId, Is.EqualTo(paused.TenantId));
            Assert.That(result.RequestId, Is.EqualTo(paused.RequestId));
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Expired));
        });
    }

    /// <summary>A handler with a dependency of its own, resolved from the container.</summary>
    private sealed class NotifyRequester(List<string> outbox) : IApprovalExpiredHandler
    {
        public ValueTask OnExpiredAsync(ExpiredApproval approval, AgentResult result, CancellationToken cancellationToken)
        {
            outbox.Add($"{approval.RequestId}:{result.Status}");
            return ValueTask.CompletedTask;
        }
    }

    [Test]
    public async Task A_handler_type_is_resolved_from_the_container_and_registered_once()
    {
        var outbox = new List<string>();
        var travel = new Travel();
        await using var harness = travel.Harness(more: b =>
        {
            b.Services.AddSingleton(outbox);
            b.AddApprovalExpiredHandler<NotifyRequester>().AddApprovalExpiredHandler<NotifyRequester>();
        });
        var paused = await harness.RunAsync("Book and pay", "book", "pay");
        harness.Time.Advance(TimeSpan.FromHours(1));

        await harness.ExpirySweeper.SweepAsync();

        Assert.That(outbox, Is.EqualTo(new[] { paused.RequestId + ":Expired" }));
    }

    [Test]
    public async Task An_approval_that_has_not_expired_is_left_to_its_approver()
    {
        var travel = new Travel();
        await using var harness = travel.Harness();
        var paused = await harness.RunAsync("Book and pay", "book", "pay");
        harness.Time.Advance(TimeSpan.FromMinutes(59));

        var sweep = await harness.ExpirySweeper.SweepAsync();
        var resumed = await harness.Runtime.ResumeAsync(Approve(paused));

        Assert.Multiple(() =>
        {
            Assert.That(sweep.Ended, Is.Empty);
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Completed), resumed.Error?.Message);
            Assert.That(travel.Paid, Is.EqualTo(new[] { 300m }));
            Assert.That(travel.Cancelled, Is.Empty);
        });
    }

    [Test]
    public async Task A_swept_request_closes_its_idempotency_key_so_a_retry_gets_the_expired_result()
    {
        var travel = new Travel();
        await using var harness = travel.Harness();
        var request = harness.NewRequest("Book and pay", "book", "pay") with { IdempotencyKey = "trip-42" };
        var paused = await harness.Runtime.RunAsync(request);
        harness.Time.Advance(TimeSpan.FromHours(2));
        await harness.ExpirySweeper.SweepAsync();

        var retry = await harness.Runtime.RunAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(retry.RequestId, Is.EqualTo(paused.RequestId), "the original request answers the retry");
            Assert.That(retry.Status, Is.EqualTo(AgentRunStatus.Expired));
            Assert.That(travel.Booked, Is.EqualTo(new[] { "flight" }), "nothing ran again");
        });
    }

    [Test]
    public async Task The_sweep_is_tenant_blind_but_each_request_is_ended_in_its_own_tenant()
    {
        var travel = new Travel();
        await using var harness = travel.Harness(replies:
        [
            ScriptedReply.CallTool("pay", new { amount = 10 }),
            ScriptedReply.CallTool("pay", new { amount = 20 }),
        ]);
        var first = await harness.Runtime.RunAsync(harness.NewRequest("Pay 10", "pay"));
        harness.DefaultIdentity = harness.DefaultIdentity with { TenantId = "tenant-b" };
        var second = await harness.Runtime.RunAsync(harness.NewRequest("Pay 20", "pay"));
        harness.Time.Advance(TimeSpan.FromHours(1));

        var sweep = await harness.ExpirySweeper.SweepAsync();

        Assert.Multiple(() =>
        {
            Assert.That(sweep.Ended.Select(r => (r.TenantId, r.RequestId)), Is.EquivalentTo(new[] { (first.TenantId, first.RequestId), (second.TenantId, second.RequestId) }));
            Assert.That(sweep.Ended.Select(r => r.Status), Is.All.EqualTo(AgentRunStatus.Expired));
            Assert.That(harness.Evidence.ForRequest(second.RequestId).Select(r => r.TenantId), Is.All.EqualTo("tenant-b"));
            Assert.That(travel.Paid, Is.Empty);
        });
    }

    [Test]
    public async Task A_checkpoint_this_runtime_cannot_read_is_counted_failed_and_kept_for_a_runtime_that_can()
    {
        var travel = new Travel();
        await using var harness = travel.Harness();
        var store = harness.Services.GetRequiredService<IApprovalStore>();
        var now = harness.Time.GetUtcNow();
        var foreign = Paused("tenant-test", "apr_foreign", now.AddMinutes(1)) with { CheckpointFormat = "checkpoint/99" };
        await store.SaveAsync(foreign);
        harness.Time.Advance(TimeSpan.FromMinutes(2));

        var sweep = await harness.ExpirySweeper.SweepAsync();
        var again = await harness.ExpirySweeper.SweepAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(sweep.Failed, Is.EqualTo(1));
            Assert.That(sweep.Ended, Is.Empty);
            Assert.That(await store.GetAsync("tenant-test", "apr_foreign"), Is.Not.Null, "the unreadable checkpoint is put back, not lost");
            Assert.That(again.Failed, Is.EqualTo(1), "still not ended, and still reported");
            Assert.That(await store.GetAsync("tenant-test", "apr_foreign"), Is.Not.Null, "a later sweep of this runtime leaves it alone");
        });
    }

    [Test]
    public async Task A_resume_whose_checkpoint_cannot_be_restored_keeps_the_approval_pending()
    {
        // A checkpoint that parses but cannot be restored (a member written as null): the resume is refused and the paused
        // request is put back, as the sweep does, instead of being left claimed by nobody.
        var travel = new Travel();
        await using var harness = travel.Harness();
        var paused = await harness.RunAsync("Book and pay", "book", "pay");
        var store = harness.Services.GetRequiredService<IApprovalStore>();
        var saved = (await store.GetAsync(paused.TenantId!, paused.PendingApproval!.ApprovalId))!;
        var checkpoint = System.Text.Json.Nodes.JsonNode.Parse(saved.Checkpoint.Span)!.AsObject();
        var counters = checkpoint.Select(p => p.Key).Single(k => string.Equals(k, "counters", StringComparison.OrdinalIgnoreCase));
        checkpoint[counters] = null;
        await store.SaveAsync(saved with { Checkpoint = System.Text.Encoding.UTF8.GetBytes(checkpoint.ToJsonString()) });

        var resumed = await harness.Runtime.ResumeAsync(Approve(paused));

        Assert.Multiple(async () =>
        {
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Rejected), resumed.Error?.Message);
            Assert.That(resumed.Error!.Message, Does.Contain("cannot be read by this runtime"));
            Assert.That(await store.GetAsync(paused.TenantId!, paused.PendingApproval.ApprovalId), Is.Not.Null, "the paused request is put back, not lost");
            Assert.That(travel.Paid, Is.Empty);
        });
    }

    [Test]
    public async Task On_schedule_the_runtime_ends_an_expired_request_without_anyone_calling_it()
    {
        var travel = new Travel();
        var logged = new ExpiryLog();
        await using var harness = travel.Harness(
            o => o.Approvals.ExpirySweepInterval = TimeSpan.FromMinutes(90),
            b => b.Services.AddLogging(l => l.AddProvider(logged)));
        var paused = await harness.RunAsync("Book and pay", "book", "pay");

        // One tick, after the one-hour expiry; then the clock stands still while the sweep runs on its own thread (the
        // bound is only against a sweep that never comes).
        harness.Time.Advance(TimeSpan.FromMinutes(90));
        var line = await logged.Ended.WaitAsync(TimeSpan.FromSeconds(30));
        var status = await harness.Runtime.GetStatusAsync(paused.TenantId!, paused.RequestId);

        Assert.Multiple(() =>
        {
            Assert.That(line, Does.Contain(paused.RequestId));
            Assert.That(status!.FinalStatus, Is.EqualTo(AgentRunStatus.Expired));
            Assert.That(travel.Cancelled, Is.EqualTo(new[] { "flight" }));
        });
    }

    [Test]
    public async Task The_scheduled_sweep_does_not_carry_the_execution_context_the_runtime_was_created_in()
    {
        // On the system clock: its timers capture the creator's execution context unless told not to (a fake clock's do not).
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ambient = new AsyncLocal<string>();
        var services = new ServiceCollection();
        services.AddARuntime(o =>
        {
            o.AgentName = "sweep-context";
            o.Approvals.ExpirySweepInterval = TimeSpan.FromMilliseconds(20);
        }).UseInMemoryEvidence();
        services.AddSingleton<IApprovalStore>(new ObservingStore(() => seen.TrySetResult(ambient.Value)));
        await using var provider = services.BuildServiceProvider();

        // The runtime is created inside some caller's context: one tenant's HTTP request, say.
        ambient.Value = "tenant-a-http-request";
        _ = provider.GetRequiredService<IAgentRuntime>();
        ambient.Value = null!;

        Assert.That(await seen.Task.WaitAsync(TimeSpan.FromSeconds(30)), Is.Null, "the sweep ran with the creator's async-locals");
    }

    /// <summary>An in-memory approval store that reports each expiry listing.</summary>
    private sealed class ObservingStore(Action listed) : IApprovalStore
    {
        private readonly InMemoryApprovalStore inner = new();

        public ValueTask SaveAsync(PausedRequest request, CancellationToken cancellationToken = default) => inner.SaveAsync(request, cancellationToken);

        public ValueTask<PausedRequest?> GetAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default) => inner.GetAsync(tenantId, approvalId, cancellationToken);

        public ValueTask<PausedRequest?> TryClaimAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default) => inner.TryClaimAsync(tenantId, approvalId, cancellationToken);

        public IAsyncEnumerable<ApprovalTicket> ListPendingAsync(string tenantId, CancellationToken cancellationToken = default) => inner.ListPendingAsync(tenantId, cancellationToken);

        public IAsyncEnumerable<ExpiredApproval> ListExpiredAsync(DateTimeOffset asOf, CancellationToken cancellationToken = default)
        {
            listed();
            return inner.ListExpiredAsync(asOf, cancellationToken);
        }
    }

    [Test]
    public async Task Disposing_waits_for_the_request_a_scheduled_sweep_is_ending()
    {
        var compensating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var undone = new List<string>();
        var harness = AgentTestHarness.Create(
            b => b.AddTool((string step) => "booked " + step, o =>
                {
                    o.Name = "book";
                    o.PermissionClass = "travel.book";
                    o.SideEffect = SideEffectClass.ReversibleWrite;
                    o.Compensate = async (request, _) =>
                    {
                        compensating.TrySetResult();
                        await release.Task;
                        undone.Add(request.Call.Arguments.GetProperty("step").GetString()!);
                        return CompensationResult.Done;
                    };
                })
                .AddTool((decimal amount) => amount, o => { o.Name = "pay"; o.PermissionClass = "travel.book"; o.SideEffect = SideEffectClass.Irreversible; })
                .ConfigurePolicy(p =>
                {
                    p.Rules.Add(new PolicyRule { Id = "pay-needs-approval", Outcome = PolicyOutcome.RequireApproval, Tools = ["pay"], Approval = Supervisor });
                    p.Rules.Add(ToolTestKit.Allow("book"));
                }),
            o => o.Approvals.ExpirySweepInterval = TimeSpan.FromMinutes(90),
            ScriptedReply.CallTool("book", new { step = "flight" }), ScriptedReply.CallTool("pay", new { amount = 300 }));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "travel.book");
        var journal = harness.Services.GetRequiredService<IRequestJournal>();
        var paused = await harness.RunAsync("Book and pay", "book", "pay");
        harness.Time.Advance(TimeSpan.FromMinutes(90));
        await compensating.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var disposing = harness.DisposeAsync().AsTask();
        var early = disposing.IsCompleted;
        release.SetResult();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));

        var entry = await journal.GetAsync(paused.TenantId!, paused.RequestId);
        Assert.Multiple(() =>
        {
            Assert.That(early, Is.False, "disposal did not wait for the sweep");
            Assert.That(undone, Is.EqualTo(new[] { "flight" }));
            Assert.That(entry!.FinalStatus, Is.EqualTo(AgentRunStatus.Expired), "the request was brought to its end before the stores went away");
        });
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void A_sweep_interval_that_is_not_positive_stops_startup(int minutes)
    {
        var services = new ServiceCollection();
        services.AddARuntime(o =>
        {
            o.AgentName = "a";
            o.Approvals.ExpirySweepInterval = TimeSpan.FromMinutes(minutes);
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IAgentRuntime>());
        Assert.That(error!.Message, Does.Contain("Approvals.ExpirySweepInterval"));
    }

    [Test]
    public async Task The_in_memory_store_lists_only_unclaimed_expired_approvals_of_every_tenant_oldest_first()
    {
        var store = new InMemoryApprovalStore();
        var t0 = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);
        await store.SaveAsync(Paused("a", "apr_late", t0.AddMinutes(30)));
        await store.SaveAsync(Paused("b", "apr_early", t0.AddMinutes(10)));
        await store.SaveAsync(Paused("a", "apr_future", t0.AddHours(5)));
        await store.SaveAsync(Paused("b", "apr_claimed", t0.AddMinutes(1)));
        await store.TryClaimAsync("b", "apr_claimed");

        var expired = new List<ExpiredApproval>();
        await foreach (var approval in store.ListExpiredAsync(t0.AddHours(1)))
        {
            expired.Add(approval);
        }

        Assert.That(expired.Select(e => (e.TenantId, e.ApprovalId)), Is.EqualTo(new[] { ("b", "apr_early"), ("a", "apr_late") }));
    }

    internal static PausedRequest Paused(string tenant, string approvalId, DateTimeOffset expiresAt) => new()
    {
        Ticket = new ApprovalTicket
        {
            ApprovalId = approvalId,
            RequestId = "req_" + approvalId,
            TenantId = tenant,
            CallId = "c1",
            ToolName = "pay",
            ToolVersion = "1",
            PolicyVersion = "test",
            Arguments = System.Text.Json.JsonSerializer.SerializeToElement(new { amount = 1 }),
            RequestedBy = "u1",
            Requirement = Supervisor,
            CreatedAt = expiresAt.AddHours(-1),
            ExpiresAt = expiresAt,
        },
        CheckpointFormat = "test",
        Checkpoint = "{}"u8.ToArray(),
    };

    /// <summary>Completes when the runtime logs that the sweep ended a request (the message carries the request id).</summary>
    private sealed class ExpiryLog : ILoggerProvider, ILogger
    {
        private readonly TaskCompletionSource<string> ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Ended => ended.Task;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 64)
            {
                ended.TrySetResult(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
