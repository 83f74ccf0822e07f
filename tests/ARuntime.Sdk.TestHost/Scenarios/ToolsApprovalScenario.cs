using System.Globalization;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>
/// Human approval across processes. <c>request</c> runs a refund that needs approval and prints
/// <c>PENDING &lt;approvalId&gt; &lt;requestId&gt;</c> once the pause is saved (the parent may then kill it); <c>resume</c>, in a
/// new process with the same store, approves it as a supervisor and prints <c>RESULT &lt;status&gt; &lt;requestId&gt;</c>.
/// Arguments: request|resume, database path, key (64 hex), system-of-record file, [approval id].
/// </summary>
internal sealed class ToolsApprovalScenario : IChildProcessScenario
{
    public string Name => "tools-approval";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var key = StoreKey.FromHex(args[2]);
        if (args[0] == "request")
        {
            await using var provider = ToolsRuntimeFactory.Build(args[1], key, args[3], statusQuery: false, afterEffect: null, ToolsRuntimeFactory.RefundCall(120));
            var runtime = provider.GetRequiredService<IAgentRuntime>();
            var paused = await runtime.RunAsync(ToolsRuntimeFactory.Request(120), cancellationToken);
            if (paused.Status != AgentRunStatus.PendingApproval)
            {
                Console.WriteLine($"UNEXPECTED {paused.Status} {paused.Error?.Code} {paused.Error?.Message}");
                return 1;
            }

            Console.WriteLine($"PENDING {paused.PendingApproval!.ApprovalId} {paused.RequestId}");

            // Stay alive: the parent kills this process, as a crash or a deployment would.
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return 0;
        }

        await using (var provider = ToolsRuntimeFactory.Build(args[1], key, args[3], statusQuery: false, afterEffect: null, ScriptedReply.Answer("Refunded 120.")))
        {
            var runtime = provider.GetRequiredService<IAgentRuntime>();
            var result = await runtime.ResumeAsync(
                new ApprovalDecision
                {
                    ApprovalId = args[4],
                    TenantId = ToolsRuntimeFactory.Requester.TenantId,
                    Approver = new ActorIdentity { Id = "sup-1", Roles = ["supervisor"] },
                    Verdict = ApprovalVerdict.Approve,
                },
                cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {result.Status} {result.RequestId} {result.Error?.Code} {result.Answer}"));
        }

        return 0;
    }
}
