using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.Tools;

/// <summary>
/// Call ids an engine with native tool calling assigns are model output: some backends number calls per reply
/// (<c>call_0</c> in every turn) or repeat one. Every call must still be tracked, approved and reported as itself.
/// </summary>
public sealed class EngineCallIdTests
{
    private static readonly ActorIdentity Supervisor = new() { Id = "sup-1", Roles = ["supervisor"] };

    /// <summary>Replies from a queue; each tool call carries the engine-assigned id <c>call_0</c>.</summary>
    private sealed class RepeatingIdEngine(params string[][] replies) : IInferenceEngine
    {
        private readonly ConcurrentQueue<string[]> replies = new(replies);

        public InferenceEngineMetadata Metadata { get; } = new()
        {
            EngineName = "repeating-ids",
            EngineVersion = "1",
            ModelId = "repeating-ids",
            ModelVersion = "1",
            PromptTemplate = "none",
            Capabilities = new RouteCapabilities { ToolCalling = true, ContextTokens = 32_768 },
        };

        public Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
        {
            var calls = replies.TryDequeue(out var next) ? next : [];
            return Task.FromResult(new InferenceResult
            {
                Text = calls.Length == 0 ? """{"answer":"Done."}""" : string.Empty,
                ToolCalls = [.. calls.Select(arguments => new ProposedToolCall { CallId = "call_0", ToolName = "refund", ArgumentsJson = arguments })],
                StopReason = StopReason.EndOfSequence,
                Usage = new InferenceUsage { PromptTokens = 10, GeneratedTokens = 10 },
            });
        }

        public async IAsyncEnumerable<InferenceUpdate> InferStreamingAsync(InferenceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new InferenceUpdate { Result = await InferAsync(request, cancellationToken).ConfigureAwait(false) };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
    }

    private static ServiceProvider Runtime(ConcurrentQueue<decimal> refunds, IInferenceEngine engine)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero)));
        services.AddARuntime()
            .AddEngine("engine", engine)
            .UseEvidenceSink(_ => new RecordingEvidenceSink())
            .AddTool((string orderId, decimal amount) => { refunds.Enqueue(amount); return new { refunded = orderId, amount }; }, o =>
            {
                o.Name = "refund";
                o.PermissionClass = "payments.refund";
                o.SideEffect = SideEffectClass.Irreversible;
            })
            .ConfigurePolicy(p =>
            {
                p.Rules.Add(new PolicyRule
                {
                    Id = "approve-over-50",
                    Outcome = PolicyOutcome.RequireApproval,
                    Tools = ["refund"],
                    Arguments = [new ArgumentCondition { Path = "/amount", Operator = ArgumentOperator.GreaterThan, Value = ArgumentCondition.Json(50) }],
                    Approval = new ApprovalRequirement { ApproverRoles = ["supervisor"] },
                });
                p.Rules.Add(ToolTestKit.Allow("refund"));
            });
        return services.BuildServiceProvider();
    }

    private static RuntimeRequest Request() => new()
    {
        Identity = ToolTestKit.Identity("agent-user", "payments.refund"),
        Task = new AgentTask { Prompt = "Refund the orders." },
        AllowedTools = ["refund"],
    };

    [Test]
    public async Task Calls_in_different_turns_with_the_same_engine_id_are_each_reported()
    {
        var refunds = new ConcurrentQueue<decimal>();
        await using var provider = Runtime(refunds, new RepeatingIdEngine(["""{"orderId":"A-1","amount":20}"""], ["""{"orderId":"A-2","amount":30}"""]));
        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(Request());

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(refunds, Is.EqualTo(new[] { 20m, 30m }));
        Assert.That(result.ToolCalls.Select(c => c.Outcome), Is.EqualTo(new[] { ToolCallOutcome.Succeeded, ToolCallOutcome.Succeeded }), "both refunds ran and the caller must see both");
        Assert.That(result.ToolCalls.Select(c => c.CallId).Distinct().Count(), Is.EqualTo(2));
    }

    [Test]
    public async Task An_approval_applies_to_the_paused_call_even_when_another_call_of_the_reply_has_its_id()
    {
        var refunds = new ConcurrentQueue<decimal>();
        await using var provider = Runtime(refunds, new RepeatingIdEngine(["""{"orderId":"A-1","amount":20}""", """{"orderId":"A-2","amount":120}"""]));
        var runtime = provider.GetRequiredService<IAgentRuntime>();
        var paused = await runtime.RunAsync(Request());
        Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval), paused.Error?.Message);
        Assert.That(refunds, Is.EqualTo(new[] { 20m }));
        Assert.That(paused.PendingApproval!.Arguments.GetProperty("amount").GetDecimal(), Is.EqualTo(120m));

        var result = await runtime.ResumeAsync(new ApprovalDecision
        {
            ApprovalId = paused.PendingApproval.ApprovalId,
            TenantId = paused.TenantId!,
            Approver = Supervisor,
            Verdict = ApprovalVerdict.Approve,
        });

        Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
        Assert.That(refunds, Is.EqualTo(new[] { 20m, 120m }), "the approved refund runs once approved");
    }
}
