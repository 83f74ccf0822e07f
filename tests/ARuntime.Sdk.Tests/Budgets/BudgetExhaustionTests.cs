using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Failures;

namespace ARuntime.Sdk.Tests.Budgets;

/// <summary>
/// The "budget exhaustion" row: token, time, cost and action counters are checked before and after every stage; on
/// exhaustion the request pauses (when policy allows extension through approval) or returns a partial, qualified result that
/// says what was done and what was not; budget use and the termination reason are in evidence.
/// </summary>
public sealed class BudgetExhaustionTests
{
    private static readonly ModelDeployment Priced = new() { Name = "priced", Pricing = new ModelPricing { PerCall = 0.01m } };

    private static AgentTestHarness CostHarness(Counter lookups, Action<ARuntimeBuilder>? more = null) => AgentTestHarness.Create(
        b =>
        {
            b.AddOnHarnessEngine(Priced).AddLookup(lookups);
            more?.Invoke(b);
        },
        o => o.Routing.DefaultDeployment = Priced.Name,
        ScriptedReply.CallTool("lookup", new { key = "a" }),
        ScriptedReply.CallTool("lookup", new { key = "b" }),
        ScriptedReply.CallTool("lookup", new { key = "c" }),
        ScriptedReply.Answer("done"));

    /// <summary>A harness whose model proposes two lookups in one reply; with <paramref name="extendable"/>, policy lets a budget be extended by approval.</summary>
    private static AgentTestHarness TwoLookupsInOneTurn(Counter lookups, bool extendable) => AgentTestHarness.Create(
        b =>
        {
            b.AddLookup(lookups);
            if (extendable)
            {
                b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "extend", Action = PolicyAction.BudgetExtension, Outcome = PolicyOutcome.RequireApproval }));
            }
        },
        ScriptedReply.CallTools(new("lookup", new { key = "a" }), new("lookup", new { key = "b" })),
        ScriptedReply.Answer("done"));

    private static Task<AgentResult> RunUnderOneToolCallAsync(AgentTestHarness harness) =>
        harness.Runtime.RunAsync(FailureTestKit.Request("Look up a and b.", "lookup") with { Budget = new Budget { MaxToolCalls = 1 } });

    private static ApprovalDecision DecideByOwner(AgentResult paused, ApprovalVerdict verdict) => new()
    {
        ApprovalId = paused.PendingApproval!.ApprovalId,
        TenantId = paused.PendingApproval.TenantId,
        Approver = new ActorIdentity { Id = "owner-1" },
        Verdict = verdict,
    };

    /// <summary>A cost harness whose policy lets a budget be extended by an approval that expires after five minutes.</summary>
    private static AgentTestHarness ExtensionExpiringInFiveMinutes(Counter lookups) => CostHarness(lookups, b => b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule
    {
        Id = "extend",
        Action = PolicyAction.BudgetExtension,
        Outcome = PolicyOutcome.RequireApproval,
        Approval = new ApprovalRequirement { ExpiresAfter = TimeSpan.FromMinutes(5) },
    })));

    private static RuntimeRequest CostRequest(decimal maxCost) =>
        FailureTestKit.Request("Look up a, b and c.", "lookup") with { Budget = new Budget { MaxCost = maxCost } };

    [Test]
    public async Task CostBudgetExhaustedMidLoop_ReturnsPartialQualifiedResult()
    {
        var lookups = new Counter();
        await using var harness = CostHarness(lookups);

        var result = await harness.Runtime.RunAsync(CostRequest(0.025m));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.BudgetExhausted));
            Assert.That(result.Error.Field, Is.EqualTo("budget.maxCost"));
            Assert.That(result.Answer, Is.Null, "nothing is invented when the budget stops the request");
            Assert.That(result.Usage.Cost, Is.EqualTo(0.02m));
            Assert.That(result.Usage.ModelTurns, Is.EqualTo(2));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2), "the third turn did not fit the remaining cost and never ran");
            Assert.That(lookups.Value, Is.EqualTo(2));
            Assert.That(result.IsQualified, Is.True);
            Assert.That(result.Qualifications, Has.Some.Contains("Cost budget is exhausted (0.02 of 0.025)"));
            Assert.That(result.Qualifications, Has.Some.Contains("Done: 2 model turn(s); tool calls completed: lookup, lookup").And.Contains("no final answer was produced"));
        });

        var exhausted = harness.Evidence.Kind(result, EvidenceKinds.BudgetExhausted).Single();
        var usage = harness.Evidence.Kind(result, EvidenceKinds.BudgetUsage).Single();
        Assert.Multiple(() =>
        {
            Assert.That(exhausted.Decision, Is.EqualTo("stopped"));
            Assert.That(exhausted.Attributes["dimension"], Is.EqualTo("Cost"));
            Assert.That(exhausted.Attributes["budget.maxCost"], Is.EqualTo("0.02/0.025"));
            Assert.That(exhausted.Attributes["done"], Does.Contain("lookup:"));
            Assert.That(usage.Attributes["status"], Is.EqualTo("Partial"));
            Assert.That(usage.Attributes["termination"], Is.EqualTo("BudgetExhaustion:budget.exhausted:Cost"));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Inference).ReasonCodes, Does.Contain("route.cost_exceeds_budget:priced"));
        });
    }

    [Test]
    public async Task CostBudgetWithinLimit_Completes()
    {
        var lookups = new Counter();
        await using var harness = CostHarness(lookups);

        var result = await harness.Runtime.RunAsync(CostRequest(0.04m));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(result.Usage.Cost, Is.EqualTo(0.04m));
            Assert.That(result.IsQualified, Is.False);
        });
    }

    [TestCase(true, TestName = "ExtensionPolicyTimingOutOnItsOwn_ExtendsNothing_AndStopsPartial")]
    [TestCase(false, TestName = "ExtensionApprovalWithoutApproverRoles_ExtendsNothing_AndStopsPartial")]
    public async Task ExtensionPolicyThatCannotDecide_ExtendsNothing(bool timesOut)
    {
        // A remote decision point whose HTTP client times out, or one asking for approval without saying by whom (null
        // roles would make every later resume fail): neither may pause the request for an extension nobody can grant.
        var lookups = new Counter();
        await using var harness = CostHarness(lookups, b => b.UsePolicyEngine(_ => new ExtensionDecider(timesOut)));

        var result = await harness.Runtime.RunAsync(CostRequest(0.025m));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial), result.Error?.Message);
            Assert.That(result.Error?.Code, Is.EqualTo(AgentErrorCodes.BudgetExhausted));
            Assert.That(result.PendingApproval, Is.Null);
        });
    }

    private sealed class ExtensionDecider(bool timesOut) : IPolicyEngine
    {
        public ValueTask<PolicyDecision> EvaluateAsync(PolicyContext context, CancellationToken cancellationToken = default) =>
            context.Action != PolicyAction.BudgetExtension ? ValueTask.FromResult(PolicyDecision.Allow("pdp/1"))
            : timesOut ? throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.")
            : ValueTask.FromResult(new PolicyDecision { Outcome = PolicyOutcome.RequireApproval, PolicyVersion = "pdp/1", Approval = new ApprovalRequirement { ApproverRoles = null! } });
    }

    [Test]
    public async Task ExtensionAllowedByPolicy_PausesAndApprovalExtendsTheBudget()
    {
        var lookups = new Counter();
        await using var harness = CostHarness(lookups, b => b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule
        {
            Id = "extend-with-approval",
            Action = PolicyAction.BudgetExtension,
            Outcome = PolicyOutcome.RequireApproval,
            Approval = new ApprovalRequirement { ApproverRoles = ["budget-owner"] },
        })));

        var paused = await harness.Runtime.RunAsync(CostRequest(0.025m));

        Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval));
        var ticket = paused.PendingApproval!;
        Assert.Multiple(() =>
        {
            Assert.That(ticket.Kind, Is.EqualTo(ApprovalKind.BudgetExtension));
            Assert.That(ticket.Arguments.GetProperty("dimension").GetString(), Is.EqualTo("Cost"));
            Assert.That(ticket.Arguments.GetProperty("used").GetDecimal(), Is.EqualTo(0.02m));
            Assert.That(ticket.Arguments.GetProperty("proposedLimit").GetDecimal(), Is.EqualTo(0.045m));
            Assert.That(ticket.ReasonCodes, Does.Contain("budget.exhausted:Cost"));
            Assert.That(paused.Usage.HumanReviews, Is.EqualTo(1));
            Assert.That(harness.Evidence.Kind(paused, EvidenceKinds.BudgetExhausted).Single().Decision, Is.EqualTo("pause_for_extension"));
            Assert.That(harness.Evidence.WithDurability(paused.RequestId).Single(r => r.Record.Kind == EvidenceKinds.ApprovalRequested).Durability, Is.EqualTo(EvidenceDurability.Durable));
        });

        var resumed = await harness.Runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = ticket.ApprovalId,
            TenantId = ticket.TenantId,
            Approver = new ActorIdentity { Id = "owner-1", Roles = ["budget-owner"] },
            Verdict = ApprovalVerdict.Approve,
        });

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(resumed.Answer, Is.EqualTo("done"));
            Assert.That(resumed.Usage.Cost, Is.EqualTo(0.04m));
            Assert.That(lookups.Value, Is.EqualTo(3));
            Assert.That(harness.Evidence.Kind(resumed, EvidenceKinds.BudgetExtended).Single().Attributes["budget.maxCost"], Is.EqualTo("0.02/0.045"));
            Assert.That(harness.Evidence.Kind(resumed, EvidenceKinds.ApprovalDecided).Single().Decision, Is.EqualTo("approved"));
        });
    }

    [Test]
    public async Task ExtensionApprovedWithChanges_UsesTheApproversLimit_AndRefusesALimitBelowTheUse()
    {
        var lookups = new Counter();
        await using var harness = CostHarness(lookups, b => b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "extend", Action = PolicyAction.BudgetExtension, Outcome = PolicyOutcome.RequireApproval })));
        var paused = await harness.Runtime.RunAsync(CostRequest(0.025m));
        var ticket = paused.PendingApproval!;
        ApprovalDecision Decide(string limitJson) => new()
        {
            ApprovalId = ticket.ApprovalId,
            TenantId = ticket.TenantId,
            Approver = new ActorIdentity { Id = "owner-1" },
            Verdict = ApprovalVerdict.ApproveWithChanges,
            ChangedArguments = FailureTestKit.Json(limitJson),
        };

        var refused = await harness.Runtime.ResumeAsync(Decide("""{"limit": 0.01}"""));
        var resumed = await harness.Runtime.ResumeAsync(Decide("""{"limit": 0.04}"""));

        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(AgentRunStatus.Rejected));
            Assert.That(refused.Error!.Field, Is.EqualTo("changedArguments.limit"));
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Completed), "the refused decision left the request waiting for a valid one");
            Assert.That(resumed.Usage.Cost, Is.EqualTo(0.04m));
            Assert.That(harness.Evidence.Kind(resumed, EvidenceKinds.ApprovalDecided).Single().Decision, Is.EqualTo("approved_with_changes"));
        });
    }

    [Test]
    public async Task ExtensionRejected_EndsPartialWithWhatWasDone()
    {
        var lookups = new Counter();
        await using var harness = CostHarness(lookups, b => b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "extend", Action = PolicyAction.BudgetExtension, Outcome = PolicyOutcome.RequireApproval })));
        var paused = await harness.Runtime.RunAsync(CostRequest(0.025m));

        var resumed = await harness.Runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = paused.PendingApproval!.ApprovalId,
            TenantId = paused.TenantId!,
            Approver = new ActorIdentity { Id = "owner-1" },
            Verdict = ApprovalVerdict.Reject,
        });

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(resumed.Error!.Code, Is.EqualTo(AgentErrorCodes.BudgetExhausted));
            Assert.That(resumed.Qualifications, Has.Some.Contains("declined to extend"));
            Assert.That(resumed.Qualifications, Has.Some.Contains("tool calls completed: lookup, lookup"));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ExtensionApprovalExpired_EndsExpired()
    {
        var lookups = new Counter();
        await using var harness = ExtensionExpiringInFiveMinutes(lookups);
        var paused = await harness.Runtime.RunAsync(CostRequest(0.025m));
        harness.Time.Advance(TimeSpan.FromMinutes(6));

        var resumed = await harness.Runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = paused.PendingApproval!.ApprovalId,
            TenantId = paused.TenantId!,
            Approver = new ActorIdentity { Id = "owner-1" },
            Verdict = ApprovalVerdict.Approve,
        });

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Expired));
            Assert.That(resumed.Error!.Code, Is.EqualTo(AgentErrorCodes.ApprovalExpired));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ExtensionApprovalExpired_IsEndedByTheSweep_WithWhatWasAndWasNotDone()
    {
        var lookups = new Counter();
        await using var harness = ExtensionExpiringInFiveMinutes(lookups);
        var paused = await harness.Runtime.RunAsync(CostRequest(0.025m));
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        var ended = (await harness.ExpirySweeper.SweepAsync()).Ended.Single();

        var decided = harness.Evidence.Kind(ended, EvidenceKinds.ApprovalDecided).Single();
        Assert.Multiple(() =>
        {
            Assert.That(paused.PendingApproval!.Kind, Is.EqualTo(ApprovalKind.BudgetExtension));
            Assert.That(ended.RequestId, Is.EqualTo(paused.RequestId));
            Assert.That(ended.Status, Is.EqualTo(AgentRunStatus.Expired));
            Assert.That(ended.Error!.Code, Is.EqualTo(AgentErrorCodes.ApprovalExpired));
            Assert.That(ended.Qualifications, Has.Some.Contains("approval to extend it expired"));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(2), "no model call after the pause");
            Assert.That(decided.Attributes["ended.by"], Is.EqualTo("expiry_sweep"));
            Assert.That(decided.Attributes.ContainsKey("approver.id"), Is.False);
        });
    }

    [Test]
    public async Task ToolCallBudget_StopsBeforeTheNextCall_AndReportsItNotAttempted()
    {
        var lookups = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddLookup(lookups),
            ScriptedReply.CallTool("lookup", new { key = "a" }),
            ScriptedReply.CallTool("lookup", new { key = "b" }),
            ScriptedReply.Answer("done"));

        var result = await RunUnderOneToolCallAsync(harness);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(lookups.Value, Is.EqualTo(1));
            Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.EqualTo(new[] { ToolCallOutcome.Succeeded, ToolCallOutcome.NotAttempted }));
            Assert.That(result.ToolCalls[1].ReasonCodes, Does.Contain("budget.exhausted:ToolCalls"));
            Assert.That(result.Qualifications, Has.Some.Contains("tool call(s) not attempted: lookup"));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.ToolExecution).ReasonCodes, Does.Contain("budget.exhausted:ToolCalls"));
        });
    }

    [Test]
    public async Task ToolCallBudgetExhaustedMidTurn_PausesForExtension_AndApprovalRunsTheRemainingCall()
    {
        var lookups = new Counter();
        await using var harness = TwoLookupsInOneTurn(lookups, extendable: true);

        var paused = await RunUnderOneToolCallAsync(harness);

        Assert.Multiple(() =>
        {
            Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval), "the budget ran out between two calls of one turn, and policy allows extending it");
            Assert.That(lookups.Value, Is.EqualTo(1));
            Assert.That(paused.PendingApproval!.Kind, Is.EqualTo(ApprovalKind.BudgetExtension));
            Assert.That(paused.PendingApproval.Arguments.GetProperty("dimension").GetString(), Is.EqualTo("ToolCalls"));
            Assert.That(harness.Evidence.Kind(paused, EvidenceKinds.BudgetExhausted).Single().Decision, Is.EqualTo("pause_for_extension"));
        });

        var resumed = await harness.Runtime.ResumeAsync(DecideByOwner(paused, ApprovalVerdict.Approve));

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(resumed.Answer, Is.EqualTo("done"));
            Assert.That(lookups.Value, Is.EqualTo(2), "the approved extension runs the call that was stopped, once");
            Assert.That(resumed.Usage.ToolCalls, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ToolCallBudgetExhaustedMidTurn_PausedAndRejected_ReportsTheCallThatRanAndTheOneThatDidNot()
    {
        var lookups = new Counter();
        await using var harness = TwoLookupsInOneTurn(lookups, extendable: true);

        var paused = await RunUnderOneToolCallAsync(harness);
        var rejected = await harness.Runtime.ResumeAsync(DecideByOwner(paused, ApprovalVerdict.Reject));

        Assert.Multiple(() =>
        {
            Assert.That(paused.ToolCalls.Select(c => c.Outcome), Is.EqualTo(new[] { ToolCallOutcome.Succeeded, ToolCallOutcome.PendingApproval }), "the paused result shows the call that ran");
            Assert.That(rejected.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(lookups.Value, Is.EqualTo(1));
            Assert.That(rejected.ToolCalls.Select(c => c.Outcome), Is.EqualTo(new[] { ToolCallOutcome.Succeeded, ToolCallOutcome.NotAttempted }));
            Assert.That(rejected.ToolCalls[1].ReasonCodes, Does.Contain("approval.rejected"));
        });
    }

    [Test]
    public async Task ToolCallBudgetExhaustedMidTurn_WithoutExtension_SaysWhatWasAndWasNotDone()
    {
        var lookups = new Counter();
        await using var harness = TwoLookupsInOneTurn(lookups, extendable: false);

        var result = await RunUnderOneToolCallAsync(harness);

        var exhausted = harness.Evidence.Kind(result, EvidenceKinds.BudgetExhausted).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.Error!.Field, Is.EqualTo("budget.maxToolCalls"));
            Assert.That(lookups.Value, Is.EqualTo(1));
            Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.EqualTo(new[] { ToolCallOutcome.Succeeded, ToolCallOutcome.NotAttempted }));
            Assert.That(result.Qualifications, Has.Some.Contains("Done: 1 model turn(s); tool calls completed: lookup").And.Contains("tool call(s) not attempted: lookup"));
            Assert.That(exhausted.Decision, Is.EqualTo("stopped"));
            Assert.That(exhausted.Attributes["budget.maxToolCalls"], Is.EqualTo("1/1"));
            Assert.That(exhausted.Attributes["not_done"], Does.StartWith("lookup:"));
        });
    }

    [Test]
    public async Task FailedToolCalls_CountAgainstTheToolCallBudget()
    {
        var attempts = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(
                (string key) => Fail(attempts, key),
                o =>
                {
                    o.Name = "flaky";
                    o.Description = "Always fails.";
                    o.PermissionClass = "kit.read";
                    o.SideEffect = SideEffectClass.Read;
                }),
            ScriptedReply.CallTool("flaky", new { key = "a" }),
            ScriptedReply.CallTool("flaky", new { key = "b" }),
            ScriptedReply.CallTool("flaky", new { key = "c" }),
            ScriptedReply.Answer("gave up"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Try a, b and c.", "flaky") with { Budget = new Budget { MaxToolCalls = 1 } });

        Assert.Multiple(() =>
        {
            Assert.That(attempts.Value, Is.EqualTo(1), "a call that ran and failed was still executed, and counts");
            Assert.That(result.Usage.ToolCalls, Is.EqualTo(1));
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.BudgetExhausted));
            Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.EqualTo(new[] { ToolCallOutcome.Failed, ToolCallOutcome.NotAttempted }));
        });
    }

    private static object Fail(Counter attempts, string key)
    {
        attempts.Increment();
        throw new InvalidOperationException("The backend is down for " + key + ".");
    }

    [Test]
    public async Task ToolPrice_CountsAgainstTheCostBudget()
    {
        var lookups = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddLookup(lookups),
            o => o.Budgets.ToolPrices["lookup"] = 0.01m,
            ScriptedReply.CallTool("lookup", new { key = "a" }),
            ScriptedReply.CallTool("lookup", new { key = "b" }),
            ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Look up a and b.", "lookup") with { Budget = new Budget { MaxCost = 0.015m } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.Usage.Cost, Is.EqualTo(0.01m));
            Assert.That(lookups.Value, Is.EqualTo(1));
            Assert.That(result.Error!.Message, Does.Contain("Cost"));
        });
    }

    [Test]
    public async Task ModelTurnBudget_StopsBeforeTheNextTurn()
    {
        var lookups = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddLookup(lookups),
            ScriptedReply.CallTool("lookup", new { key = "a" }),
            ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Look up a.", "lookup") with { Budget = new Budget { MaxModelTurns = 1 } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
            Assert.That(result.Error!.Field, Is.EqualTo("budget.maxModelTurns"));
            Assert.That(lookups.Value, Is.EqualTo(1), "what the budget paid for still ran");
        });
    }

    [Test]
    public async Task GeneratedTokenBudget_CapsEachTurnAndStopsWhenUsedUp()
    {
        var lookups = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddLookup(lookups),
            ScriptedReply.CallTool("lookup", new { key = "a" }).WithUsage(10, 100),
            ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Look up a.", "lookup") with { Budget = new Budget { MaxGeneratedTokens = 100 } });

        Assert.Multiple(() =>
        {
            Assert.That(harness.Engine.Requests[0].MaxOutputTokens, Is.EqualTo(100), "a turn may not generate more than the budget has left");
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.Usage.GeneratedTokens, Is.EqualTo(100));
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PromptTokenOverrun_IsReportedOnceAndStopsBeforeTheNextTurn()
    {
        var lookups = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddLookup(lookups),
            ScriptedReply.CallTool("lookup", new { key = "a" }).WithUsage(80, 5),
            ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Look up a.", "lookup") with { Budget = new Budget { MaxPromptTokens = 50 } });

        var records = harness.Evidence.Kind(result, EvidenceKinds.BudgetExhausted);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.Qualifications, Has.Some.Contains("PromptTokens budget was exceeded during Inference (80 of 50)"));
            Assert.That(records.Select(r => r.Decision), Is.EqualTo(new[] { "exceeded", "stopped" }));
            Assert.That(lookups.Value, Is.EqualTo(1), "a tool call costs no prompt tokens: the call already paid for runs");
            Assert.That(harness.Engine.CallCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WallTimeBudget_EndsTimedOutSayingWhatWasDone()
    {
        var lookups = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddLookup(lookups),
            ScriptedReply.CallTool("lookup", new { key = "a" }),
            ScriptedReply.Hang());

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Look up a.", "lookup") with { Budget = new Budget { MaxWallTime = TimeSpan.FromSeconds(10) } });
        await harness.Engine.WhenCalledAsync(2);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.TimedOut));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.TimedOut));
            Assert.That(result.Error.Field, Is.EqualTo("budget.maxWallTime"));
            Assert.That(result.Qualifications, Has.Some.Contains("WallTime budget is exhausted"));
            Assert.That(result.Qualifications, Has.Some.Contains("tool calls completed: lookup"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.BudgetExhausted).Single().Attributes["dimension"], Is.EqualTo("WallTime"));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Inference).Outcome, Is.EqualTo(StageOutcome.TimedOut));
        });
    }

    [Test]
    public async Task CallerDeadline_EndsTimedOutWithDeadlineReason()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Hang());

        var run = harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Deadline = harness.Time.GetUtcNow().AddSeconds(5) });
        await harness.Engine.WhenCalledAsync(1);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.TimedOut));
            Assert.That(result.Error!.Field, Is.EqualTo("deadline"));
            Assert.That(harness.Evidence.StageRecord(result, LifecycleStage.Inference).ReasonCodes, Does.Contain("deadline.passed"));
            Assert.That(harness.Evidence.Kind(result, EvidenceKinds.InferenceAttempt).Single().Decision, Is.EqualTo("deadline"));
        });
    }

    [Test]
    public async Task BudgetUse_IsRecordedForEveryRequest()
    {
        await using var harness = AgentTestHarness.Create(null, ScriptedReply.Answer("hi").WithUsage(12, 3));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Hello.") with { Budget = new Budget { MaxPromptTokens = 1000, MaxCost = 1m } });

        var usage = harness.Evidence.Kind(result, EvidenceKinds.BudgetUsage).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
            Assert.That(usage.Attributes["budget.maxPromptTokens"], Is.EqualTo("12/1000"));
            Assert.That(usage.Attributes["budget.maxGeneratedTokens"], Is.EqualTo("3/16384"), "unset dimensions take the host's defaults");
            Assert.That(usage.Attributes["budget.maxCost"], Is.EqualTo("0/1"));
            Assert.That(usage.Attributes["termination"], Is.EqualTo("Completed"));
        });
    }

    [Test]
    public async Task HumanReviewBudgetExhausted_StopsPartial_SayingWhatWasAndWasNotDone()
    {
        var lookups = new Counter();
        await using var harness = AgentTestHarness.Create(
            b => b.AddLookup(lookups).ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "review-lookups", Outcome = PolicyOutcome.RequireApproval, Tools = ["lookup"] })),
            ScriptedReply.CallTool("lookup", new { key = "a" }),
            ScriptedReply.Answer("done"));

        var result = await harness.Runtime.RunAsync(FailureTestKit.Request("Look up a.", "lookup") with { Budget = new Budget { MaxHumanReviews = 0 } });

        var exhausted = harness.Evidence.Kind(result, EvidenceKinds.BudgetExhausted);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.Error!.Code, Is.EqualTo(AgentErrorCodes.BudgetExhausted));
            Assert.That(result.Error.Field, Is.EqualTo("budget.maxHumanReviews"));
            Assert.That(lookups.Value, Is.Zero);
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.NotAttempted));
            Assert.That(result.ToolCalls.Single().ReasonCodes, Does.Contain("budget.exhausted:HumanReviews"));
            Assert.That(result.Qualifications, Has.Some.Contains("Not done: tool call(s) not attempted: lookup"));
            Assert.That(exhausted.Select(r => (r.Decision, r.Attributes["dimension"])), Is.EqualTo(new[] { ("stopped", "HumanReviews") }));
            Assert.That(exhausted.Single().Attributes["budget.maxHumanReviews"], Is.EqualTo("0/0"));
        });
    }

    [Test]
    public async Task ExtensionNeedsAHumanReview_SoAnExhaustedReviewBudgetStopsInstead()
    {
        var lookups = new Counter();
        await using var harness = CostHarness(lookups, b => b.ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "extend", Action = PolicyAction.BudgetExtension, Outcome = PolicyOutcome.RequireApproval })));

        var result = await harness.Runtime.RunAsync(CostRequest(0.025m) with { Budget = new Budget { MaxCost = 0.025m, MaxHumanReviews = 0 } });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Partial));
            Assert.That(result.PendingApproval, Is.Null);
            Assert.That(result.Usage.HumanReviews, Is.Zero);
        });
    }
}
