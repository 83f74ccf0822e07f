using Desc = System.ComponentModel.DescriptionAttribute;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.Testing;

namespace ARuntime.Sdk.Tests.Lifecycle;

public sealed class SmokeTests
{
    [Desc("Gets an order's status.")]
    private static object GetOrderStatus([Desc("The order id")] string orderId) => new { orderId, status = "shipped" };

    [Test]
    public async Task Smoke()
    {
        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(GetOrderStatus, o => { o.Name = "get_order_status"; o.PermissionClass = "orders.read"; o.SideEffect = SideEffectClass.Read; }),
            ScriptedReply.CallTool("get_order_status", new { orderId = "A-1" }),
            ScriptedReply.Answer("Your order shipped."));
        harness.DefaultIdentity = harness.DefaultIdentity with { Actor = new ActorIdentity { Id = "u1", Roles = ["orders.read"] } };
        var result = await harness.RunAsync("Where is my order A-1?", "get_order_status");
        TestContext.Out.WriteLine(JsonSerializer.Serialize(result, ARuntimeJsonContext.Default.AgentResult));
        foreach (var r in harness.Evidence.ForRequest(result.RequestId))
        {
            TestContext.Out.WriteLine($"{r.Sequence} {r.Stage} {r.Kind} {r.Outcome} {r.Decision} [{string.Join(",", r.ReasonCodes)}]");
        }

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
    }
}
