using System.Collections.Concurrent;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Tools;
using Desc = System.ComponentModel.DescriptionAttribute;

namespace ARuntime.Sdk.Tests.Support;

/// <summary>Tools the foundation tests register: a read-only lookup and a reversible refund that counts its executions.</summary>
internal sealed class SampleTools
{
    public ConcurrentBag<(string OrderId, decimal Amount)> Refunds { get; } = [];

    public ConcurrentBag<string> Lookups { get; } = [];

    public ConcurrentBag<string> Compensations { get; } = [];

    public static readonly string[] ReaderRoles = ["orders.read"];

    public static readonly string[] AgentRoles = ["orders.read", "orders.refund", "support-agent"];

    [Desc("Looks up an order.")]
    public object LookupOrder([Desc("The order id")] string orderId)
    {
        Lookups.Add(orderId);
        return new { orderId, status = "delivered", total = 42.5m };
    }

    [Desc("Refunds an order.")]
    public object RefundOrder(string orderId, decimal amount)
    {
        Refunds.Add((orderId, amount));
        return new { orderId, amount, refunded = true };
    }

    public void Register(ARuntimeBuilder builder) => Register(builder, allowRefunds: true);

    public void Register(ARuntimeBuilder builder, bool allowRefunds)
    {
        builder.AddTool(LookupOrder, o =>
        {
            o.Name = "lookup_order";
            o.PermissionClass = "orders.read";
            o.SideEffect = SideEffectClass.Read;
        });
        builder.AddTool(RefundOrder, o =>
        {
            o.Name = "refund_order";
            o.PermissionClass = "orders.refund";
            o.SideEffect = SideEffectClass.ReversibleWrite;
            o.Compensate = (request, _) =>
            {
                Compensations.Add(request.OperationKey);
                return ValueTask.FromResult(CompensationResult.Done);
            };
        });
        if (allowRefunds)
        {
            builder.ConfigurePolicy(p => p.Rules.Add(new ARuntime.Sdk.Policy.PolicyRule { Id = "allow-refunds", Outcome = PolicyOutcome.Allow, Tools = ["refund_order"] }));
        }
    }

    public static RequestIdentity Identity(params string[] roles) => new()
    {
        TenantId = "tenant-a",
        Actor = new ActorIdentity { Id = "alice", Roles = roles },
    };
}
