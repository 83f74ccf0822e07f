using Desc = System.ComponentModel.DescriptionAttribute;
using System.Diagnostics.Metrics;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Observability.Support;

/// <summary>A test harness whose runtime reports to a <see cref="TelemetryCapture"/> (when given), with an order-status tool the model calls once.</summary>
internal static class ObservedRuntime
{
    public const string ToolName = "get_order_status";

    public const string Permission = "orders.read";

    /// <summary>The replies of a run with one tool call: call the tool, then answer.</summary>
    public static ScriptedReply[] OneToolCall(string orderId = "A-1", string answer = "Your order shipped.") =>
    [
        ScriptedReply.CallTool(ToolName, new { orderId }).WithUsage(120, 30),
        ScriptedReply.Answer(answer).WithUsage(200, 12),
    ];

    public static AgentTestHarness Create(TelemetryCapture? capture, Action<ARuntimeOptions>? options = null, Action<ARuntimeBuilder>? configure = null, params ScriptedReply[] replies)
    {
        var harness = AgentTestHarness.Create(
            b =>
            {
                if (capture is not null)
                {
                    b.Services.AddSingleton<IMeterFactory>(capture.MeterFactory);
                }

                b.AddTool(GetOrderStatus, o => { o.Name = ToolName; o.PermissionClass = Permission; o.SideEffect = SideEffectClass.Read; });
                configure?.Invoke(b);
            },
            options,
            replies.Length > 0 ? replies : OneToolCall());
        harness.DefaultIdentity = harness.DefaultIdentity with { Actor = new ActorIdentity { Id = "user-test", Roles = [Permission] } };
        return harness;
    }

    [Desc("Gets an order's status.")]
    private static object GetOrderStatus([Desc("The order id")] string orderId) => new { orderId, status = "shipped" };
}
