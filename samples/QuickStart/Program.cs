// ARuntime.Sdk QuickStart: a template to copy. It composes the runtime with dependency injection, registers two typed tools
// (a read-only lookup and a refund with a compensation), allows refunds up to 100 EUR by policy, and runs one request through
// all sixteen lifecycle stages. Run it:  dotnet run --project samples/QuickStart  [-- --help | --json | --model PATH.gguf | ...]
using ARuntime.Sdk;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QuickStart;

if (QuickStartOptions.Parse(args, out var exitCode) is not { } options)
{
    return exitCode;
}

using var telemetry = TelemetrySetup.Start(options);
var orders = new OrderDesk();

var services = new ServiceCollection();
services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(options.Json ? LogLevel.None : LogLevel.Warning));
var builder = services.AddARuntime(o =>
    {
        o.AgentName = "quickstart-agent";
        o.ApplicationRelease = "quickstart/1.0";
        o.DefaultInstructions = "You are a support agent for an online shop. Look orders up before acting; refund only what the customer is owed.";
    })
    .AddTool(OrderDesk.GetOrderStatus, tool =>
    {
        tool.Name = "get_order_status";
        tool.PermissionClass = "orders.read";
        tool.SideEffect = SideEffectClass.Read;
        tool.Idempotency = ToolIdempotency.Natural;
    })
    .AddTool(orders.RefundOrder, tool =>
    {
        tool.Name = "refund_order";
        tool.PermissionClass = "orders.refund";
        tool.SideEffect = SideEffectClass.ReversibleWrite;
        tool.Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["orderId"] };
        tool.Compensate = orders.ReverseRefund;
        tool.CompensationDescription = "Reverse the refund.";
        tool.Timeout = TimeSpan.FromSeconds(10);
    })
    .ConfigurePolicy(policy =>
    {
        policy.Version = "quickstart-policy/1";

        // Side-effecting tools are denied unless a rule allows them: support agents may refund up to 100 EUR.
        policy.Rules.Add(new PolicyRule
        {
            Id = "refunds-up-to-100",
            Outcome = PolicyOutcome.Allow,
            Tools = ["refund_order"],
            ActorRoles = ["support-agent"],
            Condition = ctx => ctx.Arguments?.GetProperty("amount").GetDecimal() <= 100m,
        });
    });
EngineSetup.Configure(builder, options);
var evidenceFacts = EvidenceSetup.Configure(builder, options);

await using var provider = services.BuildServiceProvider();
await LlamaSharpSetup.LoadAsync(provider, options);
var runtime = provider.GetRequiredService<IAgentRuntime>();

var request = new RuntimeRequest
{
    Identity = new RequestIdentity
    {
        TenantId = "acme",
        Actor = new ActorIdentity { Id = "alice", Roles = ["support-agent", "orders.read", "orders.refund"] },
        Workload = new WorkloadIdentity { Id = "quickstart", Release = "quickstart/1.0" },
    },
    Task = new AgentTask { Prompt = "Order A-1001 arrived damaged. Please refund it." },
    AllowedTools = ["get_order_status", "refund_order"],
    Route = new ModelRoute { Deployment = EngineSetup.Deployment },
    Budget = new Budget { MaxToolCalls = 4, MaxModelTurns = 6, MaxWallTime = TimeSpan.FromMinutes(2) },
    CorrelationId = "quickstart-demo",
};

var result = await runtime.RunAsync(request);
var records = new List<EvidenceRecord>();
await foreach (var record in provider.GetRequiredService<IEvidenceReader>().QueryAsync(new EvidenceQuery { TenantId = "acme", RequestId = result.RequestId }))
{
    records.Add(record);
}

if (options.Json)
{
    Console.WriteLine(QuickStartOutput.ToJson(result, evidenceFacts));
}
else
{
    QuickStartOutput.Print(result, records, evidenceFacts, orders);
}

return result.Status == AgentRunStatus.Completed ? 0 : 1;
