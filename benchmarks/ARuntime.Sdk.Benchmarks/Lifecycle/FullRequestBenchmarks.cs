using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Benchmarks.Lifecycle;

/// <summary>
/// One full request through all sixteen lifecycle stages (scripted engine, one tool call, in-memory evidence) against the
/// same two-turn script through Microsoft.Extensions.AI's FunctionInvokingChatClient over a fake IChatClient.
/// Target: the SDK's full lifecycle costs no more than the baseline (ratio ≤ 1.0).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FullRequestBenchmarks
{
    private ServiceProvider provider = null!;
    private IAgentRuntime runtime = null!;
    private RuntimeRequest request = null!;
    private IChatClient functionInvoking = null!;
    private ChatOptions chatOptions = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddARuntime(o => o.AgentName = "bench")
            .AddEngine("bench", new TwoTurnEngine())
            .AddTool(TwoTurnScript.LookupOrder, t =>
            {
                t.Name = TwoTurnScript.ToolName;
                t.PermissionClass = "orders.read";
                t.SideEffect = SideEffectClass.Read;
            })
            .UseEvidenceSink(_ => new InMemoryEvidenceStore(maxRecordsPerTenant: 10_000));
        provider = services.BuildServiceProvider();
        runtime = provider.GetRequiredService<IAgentRuntime>();
        request = new RuntimeRequest
        {
            Identity = new RequestIdentity { TenantId = "bench", Actor = new ActorIdentity { Id = "alice", Roles = ["orders.read"] } },
            Task = new AgentTask { Prompt = "Where is order A-1?" },
            AllowedTools = [TwoTurnScript.ToolName],
        };

        functionInvoking = new ChatClientBuilder(new TwoTurnChatClient()).UseFunctionInvocation().Build();
        chatOptions = new ChatOptions { Tools = [AIFunctionFactory.Create(TwoTurnScript.LookupOrder, TwoTurnScript.ToolName)] };

        // Both sides must actually complete the two turns.
        var check = runtime.RunAsync(request).GetAwaiter().GetResult();
        if (check.Status != AgentRunStatus.Completed || check.Usage.ToolCalls != 1)
        {
            throw new InvalidOperationException($"ARuntime side did not complete: {check.Status} {check.Error?.Message}");
        }

        var baseline = functionInvoking.GetResponseAsync([new ChatMessage(ChatRole.User, "Where is order A-1?")], chatOptions).GetAwaiter().GetResult();
        if (baseline.Text != TwoTurnScript.Answer)
        {
            throw new InvalidOperationException("Baseline did not complete.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => provider.Dispose();

    [Benchmark(Baseline = true, Description = "M.E.AI FunctionInvokingChatClient, 2 turns")]
    public Task<ChatResponse> FunctionInvokingChatClient() =>
        functionInvoking.GetResponseAsync([new ChatMessage(ChatRole.User, "Where is order A-1?")], chatOptions);

    [Benchmark(Description = "ARuntime full lifecycle, 2 turns, 16 stages + evidence")]
    public Task<AgentResult> ARuntimeFullLifecycle() => runtime.RunAsync(request);
}
