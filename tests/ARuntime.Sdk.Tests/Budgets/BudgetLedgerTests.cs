using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Routing;

namespace ARuntime.Sdk.Tests.Budgets;

/// <summary>The ledger's arithmetic: what blocks the next action, what counts as an overrun, and what a call may still cost.</summary>
public sealed class BudgetLedgerTests
{
    private static BudgetLedger Ledger(Budget budget) => new(BudgetLimits.Resolve(budget, new BudgetOptions { MaxPromptTokens = null, MaxGeneratedTokens = null, MaxWallTime = null, MaxToolCalls = null, MaxRetries = null, MaxModelTurns = null, MaxHumanReviews = null }));

    [Test]
    public void AffordableTokens_FitTheRemainingCostAndThePerCallLimit()
    {
        var ledger = Ledger(new Budget { MaxCost = 1m });
        ledger.Cost = 0.9m;
        var pricing = new ModelPricing { PerCall = 0.02m, PerMillionPromptTokens = 1000m, PerMillionGeneratedTokens = 2000m };

        Assert.Multiple(() =>
        {
            // 0.1 left; the call's fixed price is 0.02 + 40 prompt tokens x 0.001 = 0.06; 0.04 buys 20 tokens at 0.002.
            Assert.That(ledger.AffordableGeneratedTokens(pricing, 40, null), Is.EqualTo(20));
            Assert.That(ledger.AffordableGeneratedTokens(pricing, 40, 0.07m), Is.EqualTo(5), "the per-call limit is tighter than the budget");
            Assert.That(ledger.AffordableGeneratedTokens(pricing, 100, null), Is.Zero, "the prompt alone costs more than is left");
            Assert.That(ledger.AffordableGeneratedTokens(ModelPricing.Free, 1_000_000, null), Is.Null, "a free deployment is never limited by cost");
            Assert.That(Ledger(Budget.HostDefaults).AffordableGeneratedTokens(pricing, 40, null), Is.Null, "no cost limit, no cap");
        });
    }

    [Test]
    public void ExactlyUsedUpCost_BlocksPricedWorkOnly_AndAnOverrunBlocksEverything()
    {
        var ledger = Ledger(new Budget { MaxCost = 0.05m });
        ledger.Cost = 0.05m;

        Assert.Multiple(() =>
        {
            Assert.That(ledger.BlocksToolCall(TimeSpan.Zero, 0m), Is.Null, "a free tool call still fits");
            Assert.That(ledger.BlocksToolCall(TimeSpan.Zero, 0.01m), Is.EqualTo(BudgetDimension.Cost));
            Assert.That(ledger.BlocksInference(TimeSpan.Zero), Is.Null, "whether a model call fits is decided per deployment");
            Assert.That(ledger.FirstOverrun(TimeSpan.Zero), Is.Null);
        });

        ledger.Cost = 0.06m;
        Assert.Multiple(() =>
        {
            Assert.That(ledger.FirstOverrun(TimeSpan.Zero), Is.EqualTo(BudgetDimension.Cost));
            Assert.That(ledger.BlocksInference(TimeSpan.Zero), Is.EqualTo(BudgetDimension.Cost));
            Assert.That(ledger.BlocksToolCall(TimeSpan.Zero, 0m), Is.EqualTo(BudgetDimension.Cost));
        });
    }

    [Test]
    public void Extend_RaisesOneLimit_AndRefusesWallTime()
    {
        var ledger = Ledger(new Budget { MaxToolCalls = 2, MaxCost = 1m, MaxWallTime = TimeSpan.FromMinutes(1) });
        ledger.ToolCalls = 2;

        ledger.Extend(BudgetDimension.ToolCalls, 4);

        Assert.Multiple(() =>
        {
            Assert.That(ledger.Limits.MaxToolCalls, Is.EqualTo(4));
            Assert.That(ledger.Limits.MaxCost, Is.EqualTo(1m));
            Assert.That(ledger.BlocksToolCall(TimeSpan.Zero, 0m), Is.Null);
            Assert.That(() => ledger.Extend(BudgetDimension.WallTime, 120), Throws.TypeOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void Describe_SaysUseAgainstLimit()
    {
        var ledger = Ledger(new Budget { MaxModelTurns = 3, MaxCost = 0.5m });
        ledger.ModelTurns = 3;
        ledger.Cost = 0.25m;

        Assert.Multiple(() =>
        {
            Assert.That(ledger.BlocksInference(TimeSpan.Zero), Is.EqualTo(BudgetDimension.ModelTurns));
            Assert.That(ledger.Describe(BudgetDimension.ModelTurns), Is.EqualTo("3 of 3"));
            Assert.That(ledger.Describe(BudgetDimension.Cost), Is.EqualTo("0.25 of 0.5"));
        });
    }
}
