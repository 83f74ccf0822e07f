using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>
/// A crash between a tool's effect and the recording of its result. <c>crash</c> runs a refund whose tool applies its effect
/// (durably, to the system-of-record file), prints <c>EXECUTED &lt;operationKey&gt;</c> and then hangs, so the parent kills
/// the process before the runtime can record the result; <c>restart</c>, in a new process with the same store, asks for the
/// same refund again and prints <c>RESULT &lt;status&gt; &lt;outcome&gt; &lt;reason codes&gt;</c>.
/// Arguments: crash|restart, database path, key (64 hex), system-of-record file, with-status-query|without-status-query.
/// </summary>
internal sealed class ToolsCrashScenario : IChildProcessScenario
{
    public string Name => "tools-crash";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var key = StoreKey.FromHex(args[2]);
        var statusQuery = args[4] == "with-status-query";
        var crash = args[0] == "crash";
        Func<CancellationToken, Task>? afterEffect = crash
            ? async ct =>
            {
                Console.WriteLine("EXECUTED " + File.ReadAllLines(args[3])[^1]);
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
        : null;
        await using var provider = ToolsRuntimeFactory.Build(args[1], key, args[3], statusQuery, afterEffect, ToolsRuntimeFactory.RefundCall(20), ScriptedReply.Answer("Refunded."));
        var runtime = provider.GetRequiredService<IAgentRuntime>();
        var result = await runtime.RunAsync(ToolsRuntimeFactory.Request(20), cancellationToken);
        var call = result.ToolCalls.Single();
        Console.WriteLine($"RESULT {result.Status} {call.Outcome} {string.Join(',', call.ReasonCodes)}");
        return crash ? 1 : 0;
    }
}
