using System.Collections.Concurrent;
using System.ComponentModel;
using ARuntime.Sdk.Tools;

namespace QuickStart;

/// <summary>
/// The sample's "system of record": a tiny in-memory order desk. Replace it with your own services; the tools below are
/// what the agent may call.
/// </summary>
public sealed class OrderDesk
{
    private readonly ConcurrentDictionary<string, decimal> refunds = new(StringComparer.Ordinal);

    /// <summary>Gets the refunds currently in effect, by order id.</summary>
    public IReadOnlyDictionary<string, decimal> Refunds => refunds;

    /// <summary>A read-only tool: looks up an order.</summary>
    [Description("Looks up an order's status, total and delivery notes.")]
    public static OrderStatus GetOrderStatus([Description("The order id, for example A-1001")] string orderId) =>
        new(orderId, "delivered", 42.50m, orderId == "A-1001" ? "Customer reported the parcel arrived damaged." : "No notes.");

    /// <summary>A side-effecting tool: refunds an order. The runtime passes the operation key so a retry never refunds twice.</summary>
    [Description("Refunds an amount on an order.")]
    public RefundReceipt RefundOrder(
        [Description("The order id")] string orderId,
        [Description("The amount to refund, in EUR")] decimal amount,
        ToolInvocation invocation)
    {
        refunds.AddOrUpdate(orderId, amount, (_, existing) => existing + amount);
        return new RefundReceipt(orderId, amount, "refund-" + invocation.OperationKey[^8..]);
    }

    /// <summary>The refund's compensation: reverses it (idempotent: reversing twice changes nothing).</summary>
    public ValueTask<CompensationResult> ReverseRefund(ToolCompensationRequest request, CancellationToken cancellationToken)
    {
        var orderId = request.Call.Arguments.GetProperty("orderId").GetString()!;
        refunds.TryRemove(orderId, out _);
        return ValueTask.FromResult(CompensationResult.Done);
    }
}

/// <summary>An order's status.</summary>
/// <param name="OrderId">The order id.</param>
/// <param name="Status">The delivery status.</param>
/// <param name="Total">The order total.</param>
/// <param name="Notes">Delivery notes.</param>
public sealed record OrderStatus(string OrderId, string Status, decimal Total, string Notes);

/// <summary>A refund receipt.</summary>
/// <param name="OrderId">The order id.</param>
/// <param name="Amount">The refunded amount.</param>
/// <param name="RefundId">The refund's id in the order desk.</param>
public sealed record RefundReceipt(string OrderId, decimal Amount, string RefundId);
