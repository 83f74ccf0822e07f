using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Tools;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.Idempotency;

public sealed class OperationLedgerTests
{
    private static void Pay(ToolOptions o, SystemOfRecord system, bool statusQuery, OperationKeyScope scope = OperationKeyScope.Request)
    {
        o.Name = "pay";
        o.PermissionClass = "billing.pay";
        o.SideEffect = SideEffectClass.Irreversible;
        o.Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["invoiceId"], Scope = scope };
        if (statusQuery)
        {
            o.QueryStatus = (q, _) => ValueTask.FromResult(system.Status(q.OperationKey, JsonSerializer.SerializeToElement(new { paid = q.Call!.Arguments.GetProperty("invoiceId").GetString() })));
        }
    }

    private static AgentTestHarness Harness(SystemOfRecord system, bool statusQuery, params ScriptedReply[] replies)
    {
        var harness = AgentTestHarness.Create(
            b => b.AddTool(
                    async (string invoiceId, ToolInvocation call, CancellationToken ct) =>
                    {
                        await Task.Yield();
                        system.Apply(call.OperationKey);
                        return new { paid = invoiceId };
                    },
                    o => Pay(o, system, statusQuery))
                .ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("pay"))),
            replies);
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "billing.pay");
        return harness;
    }

    [Test]
    public async Task An_irreversible_call_proposed_twice_in_one_request_runs_once()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, statusQuery: false,
            ScriptedReply.CallTool("pay", new { invoiceId = "42" }),
            ScriptedReply.CallTool("pay", new { invoiceId = "42" }),
            ScriptedReply.Answer("Paid once."));
        var result = await harness.RunAsync("Pay 42", "pay");

        Assert.That(system.Executions, Is.EqualTo(1));
        Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.EqualTo(new[] { ToolCallOutcome.Succeeded, ToolCallOutcome.Deduplicated }));
        Assert.That(result.ToolCalls[1].ReasonCodes, Does.Contain("operation.already_completed"));
        Assert.That(result.ToolCalls[0].OperationKey, Is.EqualTo(result.ToolCalls[1].OperationKey));
        Assert.That(ToolTestKit.Prompt(harness, 2), Does.Contain("\"paid\":\"42\""), "the duplicate returns the recorded result");
    }

    [Test]
    public async Task One_hundred_concurrent_duplicate_requests_execute_the_irreversible_call_once()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, statusQuery: false,
            ScriptedReply.CallTool("pay", new { invoiceId = "42" }),
            ScriptedReply.Answer("Paid."));
        var request = harness.NewRequest("Pay invoice 42", "pay") with { IdempotencyKey = "pay-42" };

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => harness.Runtime.RunAsync(request))));

        Assert.That(system.Executions, Is.EqualTo(1));
        var completed = results.Where(r => r.Status == AgentRunStatus.Completed).ToList();
        Assert.That(completed.Select(r => r.RequestId).Distinct().Count(), Is.EqualTo(1), "every completed result is the original one");
        Assert.That(results.Where(r => r.Status != AgentRunStatus.Completed).Select(r => r.Error?.Code), Is.All.EqualTo(AgentErrorCodes.IdempotencyInProgress));
        Assert.That(harness.Engine.CallCount, Is.EqualTo(2));
    }

    [Test]
    public async Task One_hundred_concurrent_requests_for_one_tenant_scoped_operation_execute_it_once()
    {
        var system = new SystemOfRecord();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
        var evidence = new RecordingEvidenceSink();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddARuntime(o => o.Admission.MaxConcurrentRequests = 128)
            .AddEngine("reactive", new ReactiveEngine("""{"tool":"pay","arguments":{"invoiceId":"42"}}"""))
            .UseEvidenceSink(_ => evidence)
            .AddTool(
                async (string invoiceId, ToolInvocation call, CancellationToken ct) =>
                {
                    // Hold the first execution open until every duplicate has had the chance to race it.
                    await gate.Task.WaitAsync(ct);
                    system.Apply(call.OperationKey);
                    return new { paid = invoiceId };
                },
                o => Pay(o, system, statusQuery: true, OperationKeyScope.Tenant))
            .ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("pay")));
        await using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<IAgentRuntime>();
        var identity = ToolTestKit.Identity("u1", "billing.pay");
        var allAuthorized = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var decisions = 0;
        evidence.FailWhen = (record, _) =>
        {
            if (record.Kind == "policy.decision" && Interlocked.Increment(ref decisions) == 100)
            {
                allAuthorized.TrySetResult();
            }

            return false;
        };

        var runs = Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => runtime.RunAsync(new RuntimeRequest { Identity = identity, Task = new AgentTask { Prompt = "Pay invoice 42 #" + i }, AllowedTools = ["pay"] })))
            .ToArray();
        var coordinator = provider.GetRequiredService<OperationCoordinator>();
        await allAuthorized.Task;
        gate.SetResult();
        var results = await Task.WhenAll(runs);

        Assert.That(system.Executions, Is.EqualTo(1));
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(AgentRunStatus.Completed));
        var outcomes = results.Select(r => r.ToolCalls.Single().Outcome).ToList();
        Assert.That(outcomes.Count(o => o == ToolCallOutcome.Succeeded), Is.EqualTo(1));
        Assert.That(outcomes.Count(o => o == ToolCallOutcome.Deduplicated), Is.EqualTo(99));
        Assert.That(results.Select(r => r.ToolCalls.Single().OperationKey).Distinct().Count(), Is.EqualTo(1));
        Assert.That(coordinator.InFlight, Is.Zero);
    }

    private static async Task<(string Key, IOperationLedger Ledger)> SeedCrashedStartAsync(AgentTestHarness harness, string idempotencyKey, string starter)
    {
        harness.Services.GetRequiredService<IToolRegistry>().TryGetTool("pay", out var tool);
        var key = OperationKeys.Derive("tenant-test", idempotencyKey, tool!.Descriptor, JsonDocument.Parse("""{"invoiceId":"42"}""").RootElement);
        var ledger = harness.Services.GetRequiredService<IOperationLedger>();
        var claim = await ledger.TryStartAsync("tenant-test", key, "pay", starter);
        Assert.That(claim.Status, Is.EqualTo(OperationClaimStatus.Started));
        return (key, ledger);
    }

    [Test]
    public async Task After_a_crash_between_execution_and_recording_the_status_query_reconciles_and_nothing_runs_again()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, statusQuery: true, ScriptedReply.CallTool("pay", new { invoiceId = "42" }), ScriptedReply.Answer("Paid."));
        var (key, _) = await SeedCrashedStartAsync(harness, "order-77", "req_crashed");
        system.Apply(key); // the effect the crashed process achieved before it could record the result
        var result = await harness.Runtime.RunAsync(harness.NewRequest("Pay 42", "pay") with { IdempotencyKey = "order-77" });

        Assert.That(system.TimesApplied(key), Is.EqualTo(1));
        var call = ToolTestKit.Call(result, "pay");
        Assert.That(call.Outcome, Is.EqualTo(ToolCallOutcome.Deduplicated));
        Assert.That(call.ReasonCodes, Does.Contain("operation.in_doubt").And.Contain("operation.reconciled_succeeded"));
        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
        Assert.That(ToolTestKit.Prompt(harness, 1), Does.Contain("\"paid\":\"42\""), "the model sees the reconciled result");
    }

    [Test]
    public async Task A_reconciled_result_that_violates_the_output_schema_is_a_failure()
    {
        var system = new SystemOfRecord();
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool((string invoiceId) => new { paid = invoiceId }, o =>
            {
                o.Name = "pay";
                o.PermissionClass = "billing.pay";
                o.SideEffect = SideEffectClass.Irreversible;
                o.QueryStatus = (q, _) => ValueTask.FromResult(system.Status(q.OperationKey, JsonSerializer.SerializeToElement(12345)));
            }).ConfigurePolicy(p => p.Rules.Add(ToolTestKit.Allow("pay"))),
            ScriptedReply.CallTool("pay", new { invoiceId = "42" }));
        harness.DefaultIdentity = ToolTestKit.Identity("u1", "billing.pay");
        var (key, _) = await SeedCrashedStartAsync(harness, "order-81", "req_crashed");
        system.Apply(key);
        var result = await harness.Runtime.RunAsync(harness.NewRequest("Pay 42", "pay") with { IdempotencyKey = "order-81" });

        Assert.That(system.TimesApplied(key), Is.EqualTo(1));
        Assert.That(ToolTestKit.Call(result, "pay").ReasonCodes, Does.Contain("tool.result_invalid"));
        Assert.That(result.Status, Is.Not.EqualTo(AgentRunStatus.Completed));
    }

    [Test]
    public async Task An_in_doubt_operation_that_never_took_effect_runs_once_its_starter_has_stopped()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, statusQuery: true, ScriptedReply.CallTool("pay", new { invoiceId = "42" }), ScriptedReply.Answer("Paid."));
        var (key, _) = await SeedCrashedStartAsync(harness, "order-78", "req_crashed");
        var result = await harness.Runtime.RunAsync(harness.NewRequest("Pay 42", "pay") with { IdempotencyKey = "order-78" });

        Assert.That(system.TimesApplied(key), Is.EqualTo(1));
        Assert.That(ToolTestKit.Call(result, "pay").ReasonCodes, Does.Contain("operation.reconciled_not_found"));
        Assert.That(ToolTestKit.Call(result, "pay").Outcome, Is.EqualTo(ToolCallOutcome.Succeeded));
    }

    [Test]
    public async Task An_in_doubt_operation_whose_starter_is_still_running_is_not_touched()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, statusQuery: true, ScriptedReply.CallTool("pay", new { invoiceId = "42" }));
        Assert.That(await harness.Runtime.GetStatusAsync("tenant-test", "nothing"), Is.Null); // the runtime has started
        var (key, _) = await SeedCrashedStartAsync(harness, "order-79", "req_other_process");
        var now = harness.Time.GetUtcNow();
        await harness.Services.GetRequiredService<IRequestJournal>().UpsertAsync(new RequestJournalEntry { RequestId = "req_other_process", TenantId = "tenant-test", ActorId = "u2", State = RequestState.Running, StartedAt = now, UpdatedAt = now });
        var result = await harness.Runtime.RunAsync(harness.NewRequest("Pay 42", "pay") with { IdempotencyKey = "order-79" });

        Assert.That(system.TimesApplied(key), Is.Zero);
        Assert.That(ToolTestKit.Call(result, "pay").ReasonCodes, Does.Contain("operation.in_progress"));
    }

    [Test]
    public async Task An_in_doubt_operation_without_a_status_query_is_never_repeated()
    {
        var system = new SystemOfRecord();
        await using var harness = Harness(system, statusQuery: false, ScriptedReply.CallTool("pay", new { invoiceId = "42" }));
        var (key, _) = await SeedCrashedStartAsync(harness, "order-80", "req_crashed");
        var result = await harness.Runtime.RunAsync(harness.NewRequest("Pay 42", "pay") with { IdempotencyKey = "order-80" });

        Assert.That(system.TimesApplied(key), Is.Zero);
        var call = ToolTestKit.Call(result, "pay");
        Assert.That(call.Outcome, Is.EqualTo(ToolCallOutcome.Failed));
        Assert.That(call.ReasonCodes, Does.Contain("operation.in_doubt"));
    }

    [Test]
    public void Operation_keys_are_canonical_and_follow_the_declared_key_arguments_and_scope()
    {
        static ToolDescriptor Tool(string[] keys, OperationKeyScope scope = OperationKeyScope.Request) => new()
        {
            Name = "pay",
            InputSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement,
            PermissionClass = "p",
            SideEffect = SideEffectClass.Irreversible,
            Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = keys, Scope = scope },
        };

        static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
        var all = Tool([]);
        var byInvoice = Tool(["invoiceId"]);
        var byPointer = Tool(["/invoice/id"]);
        var tenantWide = Tool(["invoiceId"], OperationKeyScope.Tenant);

        Assert.Multiple(() =>
        {
            Assert.That(OperationKeys.Derive("t", "r1", all, Json("""{"a":1.0,"b":"x"}""")), Is.EqualTo(OperationKeys.Derive("t", "r1", all, Json("""{"b":"\u0078","a":1}"""))));
            Assert.That(OperationKeys.Derive("t", "r1", all, Json("""{"a":1}""")), Is.Not.EqualTo(OperationKeys.Derive("t", "r1", all, Json("""{"a":2}"""))));
            Assert.That(OperationKeys.Derive("t", "r1", byInvoice, Json("""{"invoiceId":"42","note":"a"}""")), Is.EqualTo(OperationKeys.Derive("t", "r1", byInvoice, Json("""{"invoiceId":"42","note":"b"}"""))));
            Assert.That(OperationKeys.Derive("t", "r1", byPointer, Json("""{"invoice":{"id":7,"x":1}}""")), Is.EqualTo(OperationKeys.Derive("t", "r1", byPointer, Json("""{"invoice":{"id":7,"x":2}}"""))));
            Assert.That(OperationKeys.Derive("t", "r1", byInvoice, Json("""{"invoiceId":"42"}""")), Is.Not.EqualTo(OperationKeys.Derive("t", "r2", byInvoice, Json("""{"invoiceId":"42"}"""))), "request scope");
            Assert.That(OperationKeys.Derive("t", "r1", tenantWide, Json("""{"invoiceId":"42"}""")), Is.EqualTo(OperationKeys.Derive("t", "r2", tenantWide, Json("""{"invoiceId":"42"}"""))), "tenant scope");
            Assert.That(OperationKeys.Derive("t1", "r1", tenantWide, Json("""{"invoiceId":"42"}""")), Is.Not.EqualTo(OperationKeys.Derive("t2", "r1", tenantWide, Json("""{"invoiceId":"42"}"""))), "tenants never share keys");
        });
    }

    [Test]
    public async Task The_in_memory_ledger_keeps_results_abandons_only_unfinished_starts_and_expires_entries()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var ledger = new InMemoryOperationLedger(time, TimeSpan.FromHours(1));
        Assert.That((await ledger.TryStartAsync("t", "k", "pay", "r1")).Status, Is.EqualTo(OperationClaimStatus.Started));
        Assert.That((await ledger.TryStartAsync("t", "k", "pay", "r2")).Status, Is.EqualTo(OperationClaimStatus.InDoubt));
        await ledger.CompleteAsync("t", "k", ToolResult.Success(JsonSerializer.SerializeToElement(1)));
        await ledger.AbandonAsync("t", "k");
        var completed = await ledger.TryStartAsync("t", "k", "pay", "r3");
        Assert.That(completed.Status, Is.EqualTo(OperationClaimStatus.Completed));
        Assert.That(completed.StartedByRequestId, Is.EqualTo("r1"));

        time.Advance(TimeSpan.FromHours(2));
        Assert.That((await ledger.TryStartAsync("t", "k", "pay", "r4")).Status, Is.EqualTo(OperationClaimStatus.Started), "expired after the retention");
    }
}
