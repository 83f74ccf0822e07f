using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Tools;

/// <summary>The name the model sees for a tool made from a method the host did not name.</summary>
public sealed class ToolNamingTests
{
    [Test]
    public async Task A_local_function_is_called_by_the_name_it_was_written_with()
    {
        // The README's composition written the natural way in a top-level Program.cs: a local function, no ToolOptions.Name.
        static string GetOrderStatus(string orderId) => $"Order {orderId} was delivered.";

        await using var harness = AgentTestHarness.Create(
            b => b.AddTool(GetOrderStatus, o => { o.PermissionClass = "orders.read"; o.SideEffect = SideEffectClass.Read; }),
            ScriptedReply.CallTool("GetOrderStatus", new { orderId = "A-1001" }),
            ScriptedReply.Answer("It was delivered."));
        harness.DefaultIdentity = harness.DefaultIdentity with { Actor = new ActorIdentity { Id = "alice", Roles = ["orders.read"] } };

        var result = await harness.RunAsync("Where is order A-1001?", "GetOrderStatus");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.ToolCalls.Single().ToolName, Is.EqualTo("GetOrderStatus"));
            Assert.That(result.ToolCalls.Single().Outcome, Is.EqualTo(ToolCallOutcome.Succeeded));
        });
    }

    [Test]
    public void An_async_local_function_keeps_its_name_too()
    {
        static Task<string> LookUpCustomerAsync(string customerId) => Task.FromResult(customerId);

        var tool = AgentToolFactory.Create(LookUpCustomerAsync, o => { o.PermissionClass = "customers.read"; o.SideEffect = SideEffectClass.Read; });

        Assert.That(tool.Descriptor.Name, Is.EqualTo("LookUpCustomerAsync"));
    }

    [Test]
    public void A_method_keeps_its_own_name()
    {
        var tool = AgentToolFactory.Create(GetInvoice, o => { o.PermissionClass = "invoices.read"; o.SideEffect = SideEffectClass.Read; });

        Assert.That(tool.Descriptor.Name, Is.EqualTo(nameof(GetInvoice)));
    }

    [Test]
    public void A_lambda_without_a_name_is_refused_at_registration_with_what_to_set()
    {
        var error = Assert.Throws<ToolRegistrationException>(() =>
            AgentToolFactory.Create((string orderId) => orderId, o => { o.PermissionClass = "orders.read"; o.SideEffect = SideEffectClass.Read; }));

        Assert.That(error!.Problem, Does.Contain("ToolOptions.Name"));
    }

    [Test]
    public void A_lambda_with_a_name_is_called_by_that_name()
    {
        var tool = AgentToolFactory.Create((string orderId) => orderId, o => { o.Name = "echo_order"; o.PermissionClass = "orders.read"; o.SideEffect = SideEffectClass.Read; });

        Assert.That(tool.Descriptor.Name, Is.EqualTo("echo_order"));
    }

    private static string GetInvoice(string invoiceId) => invoiceId;
}
