using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>
/// <c>failures-crash &lt;dir&gt;</c>: runs a request whose side-effecting tool never returns, with the encrypted SQLCipher store
/// (journal, evidence, idempotency, operations) in <c>dir</c>; prints <c>READY &lt;requestId&gt; &lt;operationKey&gt;</c> once the tool is running, so the parent can kill the
/// process mid-request. <c>failures-recover &lt;dir&gt; &lt;requestId&gt;</c> (the restart) opens the same store, asks for the
/// request's status (which runs recovery), prints the status and the request's evidence as JSON lines, then retries the
/// request under its idempotency key and prints <c>RETRY &lt;status&gt; &lt;request id&gt; &lt;error code&gt;</c>.
/// </summary>
internal sealed class FailuresCrashScenario : IChildProcessScenario
{
    public const string Tenant = "tenant-crash";

    public string Name => "failures-crash";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        await using var provider = Build(args[0], ScriptedReply.CallTool("transfer", new { account = "acc-1", amount = 10 }), ScriptedReply.Answer("unreachable"));
        var runtime = provider.GetRequiredService<IAgentRuntime>();
        await runtime.RunAsync(Request, cancellationToken);

        // Only reached if the parent did not kill the process.
        return 1;
    }

    /// <summary>Gets the request the crashing process runs and the restarted one retries (same idempotency key).</summary>
    internal static RuntimeRequest Request { get; } = new()
    {
        Identity = new RequestIdentity { TenantId = Tenant, Actor = new ActorIdentity { Id = "user-1", Roles = ["payments.write"] } },
        Task = new AgentTask { Prompt = "Transfer 10 to acc-1." },
        AllowedTools = ["transfer"],
        IdempotencyKey = "transfer-acc-1-10",
    };

    internal static ServiceProvider Build(string directory, params ScriptedReply[] replies)
    {
        var services = new ServiceCollection();
        services.AddARuntime(o => o.AgentName = "crash-test")
            .AddEngine("scripted", new ScriptedInferenceEngine(replies))
            .UseSqlCipherStore(o =>
            {
                o.DatabasePath = Path.Combine(directory, "store.db");
                o.KeyProvider = StoreKeyProvider.FromFile(Path.Combine(directory, "store.key"), createIfMissing: true);
            })
            .ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "allow-transfers", Tools = ["transfer"], Outcome = PolicyOutcome.Allow }))
            .AddTool(
                async (string account, decimal amount, ToolInvocation invocation, CancellationToken cancellationToken) =>
                {
                    // The side effect has started (its durable tool.started record is written); the process dies here.
                    await Console.Out.WriteLineAsync($"READY {invocation.RequestId} {invocation.OperationKey}");
                    await Console.Out.FlushAsync(cancellationToken);
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                    return new { account, amount };
                },
                o =>
                {
                    o.Name = "transfer";
                    o.PermissionClass = "payments.write";
                    o.SideEffect = SideEffectClass.ReversibleWrite;
                    o.Timeout = TimeSpan.FromHours(1);
                    o.Compensate = (_, _) => ValueTask.FromResult(CompensationResult.Done);
                });
        return services.BuildServiceProvider();
    }
}
