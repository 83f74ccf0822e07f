using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.AI;

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
    public void An_async_local_function_is_named_as_the_same_method_would_be()
    {
        static Task<string> LookUpCustomerAsync(string customerId) => Task.FromResult(customerId);

        var local = AgentToolFactory.Create(LookUpCustomerAsync, o => { o.PermissionClass = "customers.read"; o.SideEffect = SideEffectClass.Read; });
        var method = AgentToolFactory.Create(GetInvoiceAsync, o => { o.PermissionClass = "invoices.read"; o.SideEffect = SideEffectClass.Read; });

        Assert.Multiple(() =>
        {
            Assert.That(local.Descriptor.Name, Is.EqualTo("LookUpCustomer"));
            Assert.That(method.Descriptor.Name, Is.EqualTo("GetInvoice"), "Microsoft.Extensions.AI drops the Async of a method");
        });
    }

#pragma warning disable MEAI001 // Microsoft.Extensions.AI's naming attributes are experimental; hosts may still use them.
    [Test]
    public void A_name_given_with_AIFunctionName_is_kept_for_local_functions_and_lambdas()
    {
        [AIFunctionName("order_status")]
        static string GetOrderStatus(string orderId) => orderId;

        var local = AgentToolFactory.Create(GetOrderStatus, o => { o.PermissionClass = "orders.read"; o.SideEffect = SideEffectClass.Read; });
        var lambda = AgentToolFactory.Create([AIFunctionName("echo_order")] (string orderId) => orderId, o => { o.PermissionClass = "orders.read"; o.SideEffect = SideEffectClass.Read; });

        Assert.Multiple(() =>
        {
            Assert.That(local.Descriptor.Name, Is.EqualTo("order_status"));
            Assert.That(lambda.Descriptor.Name, Is.EqualTo("echo_order"));
        });
    }

    [Test]
    public async Task An_argument_renamed_with_AIParameterName_is_read_under_that_name()
    {
        static string Reserve([AIParameterName("qty")] int quantity) => $"reserved {quantity}";

        var tool = AgentToolFactory.Create(Reserve, o => { o.PermissionClass = "stock.write"; o.SideEffect = SideEffectClass.Read; });
        var result = await tool.InvokeAsync(
            new ToolInvocation { Call = new ToolCall { CallId = "c1", ToolName = tool.Descriptor.Name, Arguments = System.Text.Json.JsonDocument.Parse("{\"qty\":3}").RootElement }, OperationKey = "op", RequestId = "r", Identity = Tools.ToolTestKit.Identity("u") },
            CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(tool.Descriptor.InputSchema.GetProperty("properties").TryGetProperty("qty", out _), Is.True, tool.Descriptor.InputSchema.GetRawText());
            Assert.That(result.Status, Is.EqualTo(ToolResultStatus.Succeeded), result.Error);
            Assert.That(result.Output?.GetString(), Is.EqualTo("reserved 3"));
        });
    }
#pragma warning restore MEAI001

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

    private static Task<string> GetInvoiceAsync(string invoiceId) => Task.FromResult(invoiceId);
}
