using System.Text.Json;
using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Budgets;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Lifecycle;
using ARuntime.Sdk.Lifecycle.Stages;
using ARuntime.Sdk.Risk;
using ARuntime.Sdk.Tools;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Benchmarks.Tools;

/// <summary>
/// The per-call cost of the side-effect boundary for a no-op read-only tool: tool planning (parse the model's proposal,
/// validate the arguments against the input schema), authorization (offer check, permission, policy engine, policy-decision
/// evidence), execution (timeout, exception isolation, redaction, tool-call evidence) and validation (output schema, the
/// message the model sees) — against calling the same tool directly (the baseline). Evidence goes to a sink that discards
/// it, so the figure is the runtime's own overhead. Target: under 50 µs per call (median).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ToolBoundaryBenchmarks
{
    private const string ToolName = "get_order";
    private ServiceProvider provider = null!;
    private ToolPlanningStage planning = null!;
    private AuthorizationStage authorization = null!;
    private ToolExecutionStage execution = null!;
    private ValidationStage validation = null!;
    private AgentTool tool = null!;
    private ToolInvocation directInvocation = null!;
    private RuntimeRequest request = null!;
    private AuthorityGrant authority = null!;
    private IReadOnlyList<ToolDescriptor> offered = null!;
    private InferenceResult proposal = null!;
    private PayloadHasher hasher = null!;
    private BudgetLimits limits = null!;
    private readonly DiscardingSink sink = new();

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddARuntime(o => o.AgentName = "bench")
            .AddTool((string orderId) => new OrderStatus(orderId, "shipped"), o =>
            {
                o.Name = ToolName;
                o.PermissionClass = "orders.read";
                o.SideEffect = SideEffectClass.Read;
            })
            .UseEvidenceSink(_ => sink);
        provider = services.BuildServiceProvider();
        planning = provider.GetRequiredService<ToolPlanningStage>();
        authorization = provider.GetRequiredService<AuthorizationStage>();
        execution = provider.GetRequiredService<ToolExecutionStage>();
        validation = provider.GetRequiredService<ValidationStage>();
        provider.GetRequiredService<IToolRegistry>().TryGetTool(ToolName, out var registered);
        tool = registered!;

        var options = provider.GetRequiredService<IOptions<ARuntimeOptions>>().Value;
        hasher = new PayloadHasher(options.Evidence);
        request = new RuntimeRequest
        {
            Identity = new RequestIdentity { TenantId = "bench", Actor = new ActorIdentity { Id = "alice", Roles = ["orders.read"] } },
            Task = new AgentTask { Prompt = "Where is order A-1?" },
            AllowedTools = [ToolName],
        };
        limits = BudgetLimits.Resolve(request.Budget, options.Budgets);
        authority = new AuthorityGrant { PermissionClasses = ["orders.read"], AllowedTools = [ToolName] };
        offered = [tool.Descriptor];
        proposal = new InferenceResult { Text = """{"tool":"get_order","arguments":{"orderId":"A-1"}}""", StopReason = StopReason.SchemaComplete };
        directInvocation = new ToolInvocation
        {
            Call = new ToolCall { CallId = "call_1_0", ToolName = ToolName, Arguments = JsonDocument.Parse("""{"orderId":"A-1"}""").RootElement.Clone() },
            OperationKey = "op",
            RequestId = "req",
            Identity = request.Identity,
        };

        var check = BoundaryAsync().AsTask().GetAwaiter().GetResult();
        if (check != ToolCallOutcome.Succeeded)
        {
            throw new InvalidOperationException($"The boundary did not run the tool: {check}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => provider.Dispose();

    [Benchmark(Baseline = true, Description = "Direct AgentTool.InvokeAsync (no boundary)")]
    public ValueTask<ToolResult> DirectInvoke() => tool.InvokeAsync(directInvocation, CancellationToken.None);

    [Benchmark(Description = "Planning + authorization + execution + validation")]
    public ValueTask<ToolCallOutcome> Boundary() => BoundaryAsync();

    private async ValueTask<ToolCallOutcome> BoundaryAsync()
    {
        var context = new RequestContext("req_bench", request, default, new BudgetLedger(limits), new EvidenceRecorder(sink, [], 16), hasher, "00000000000000000000000000000001")
        {
            Authority = authority,
            Risk = RiskAssessment.Low,
            OfferedTools = offered,
            UsesEnvelope = true,
            TurnCount = 1,
            RunStartTimestamp = TimeProvider.System.GetTimestamp(),
        };
        context.Turn = new TurnState { Number = 1, Inference = proposal };
        await planning.ExecuteAsync(context, CancellationToken.None).ConfigureAwait(false);
        await authorization.ExecuteAsync(context, CancellationToken.None).ConfigureAwait(false);
        await execution.ExecuteAsync(context, CancellationToken.None).ConfigureAwait(false);
        await validation.ExecuteAsync(context, CancellationToken.None).ConfigureAwait(false);
        return context.Status is null ? context.Turn.Calls[0].Outcome ?? ToolCallOutcome.NotAttempted : throw new InvalidOperationException($"The request ended: {context.Error?.Message}");
    }

    /// <summary>The tool's result type.</summary>
    /// <param name="OrderId">The order.</param>
    /// <param name="Status">Its status.</param>
    public sealed record OrderStatus(string OrderId, string Status);

    /// <summary>An evidence sink that accepts and discards every record.</summary>
    private sealed class DiscardingSink : IEvidenceSink
    {
        public ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
