using ARuntime.Sdk;
using ARuntime.Sdk.Testing;

namespace QuickStart;

/// <summary>
/// Chooses the model. On embedded defaults the QuickStart runs on the SDK's scripted engine, which replays a fixed
/// conversation (look up the order, refund it, answer), so the whole lifecycle runs with no model file.
/// </summary>
public static class EngineSetup
{
    /// <summary>The deployment the QuickStart's requests use.</summary>
    public const string Deployment = "quickstart";

    /// <summary>Registers the engine.</summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="options">The command line.</param>
    public static void Configure(ARuntimeBuilder builder, QuickStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (LlamaSharpSetup.TryConfigure(builder, options))
        {
            return;
        }

        builder.AddEngine(Deployment, new ScriptedInferenceEngine(
            ScriptedReply.CallTool("get_order_status", new { orderId = "A-1001" }).WithUsage(180, 14),
            ScriptedReply.CallTool("refund_order", new { orderId = "A-1001", amount = 42.50m }).WithUsage(240, 18),
            ScriptedReply.Answer("Order A-1001 arrived damaged, so I refunded the full 42.50 EUR. You will see it within 5 days.").WithUsage(300, 26)));
    }
}
