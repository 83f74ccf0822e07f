using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>
/// Composes the runtime the tools scenarios run in: a scripted model, the encrypted SQLCipher store (durable evidence,
/// approvals, idempotency keys, operation ledger and journal) and a refund/payment tool whose "system of record" is a file
/// of applied operation keys, one per line, so a parent test can count executions across processes.
/// </summary>
internal static class ToolsRuntimeFactory
{
    public static RequestIdentity Requester { get; } = new()
    {
        TenantId = "acme",
        Actor = new ActorIdentity { Id = "agent-user", Roles = ["payments.refund"] },
    };

    public static ServiceProvider Build(string database, StoreKey key, string systemOfRecord, bool statusQuery, Func<CancellationToken, Task>? afterEffect, params ScriptedReply[] replies)
    {
        var services = new ServiceCollection();
        services.AddARuntime(o => o.AgentName = "tools-scenario")
            .AddEngine("scripted", new ScriptedInferenceEngine(replies))
            .UseSqlCipherStore(o =>
            {
                o.DatabasePath = database;
                o.KeyProvider = StoreKeyProvider.FromKey(key);
            })
            .AddTool(
                async (string invoiceId, decimal amount, ToolInvocation call, CancellationToken ct) =>
                {
                    await AppendDurablyAsync(systemOfRecord, call.OperationKey, ct);
                    if (afterEffect is not null)
                    {
                        await afterEffect(ct);
                    }

                    return new { refunded = invoiceId, amount };
                },
                o =>
                {
                    o.Name = "refund";
                    o.PermissionClass = "payments.refund";
                    o.SideEffect = SideEffectClass.Irreversible;

                    // One refund per invoice and tenant, whichever request asks: a restarted request finds the operation.
                    o.Idempotency = new ToolIdempotency { Kind = IdempotencyKind.OperationKey, KeyArguments = ["invoiceId"], Scope = OperationKeyScope.Tenant };
                    if (statusQuery)
                    {
                        o.QueryStatus = (query, _) => ValueTask.FromResult(File.Exists(systemOfRecord) && File.ReadAllLines(systemOfRecord).Contains(query.OperationKey)
                            ? new ToolOperationStatus { State = OperationState.Succeeded, Result = ToolResult.Success(JsonSerializer.SerializeToElement(new { refunded = query.Call!.Arguments.GetProperty("invoiceId").GetString(), amount = query.Call.Arguments.GetProperty("amount").GetDecimal() })) }
                            : new ToolOperationStatus { State = OperationState.NotFound });
                    }
                })
            .ConfigurePolicy(p =>
            {
                p.Version = "scenario/1";
                p.Rules.Add(new PolicyRule
                {
                    Id = "approve-over-50",
                    Outcome = PolicyOutcome.RequireApproval,
                    Tools = ["refund"],
                    Arguments = [new ArgumentCondition { Path = "/amount", Operator = ArgumentOperator.GreaterThan, Value = ArgumentCondition.Json(50) }],
                    Approval = new ApprovalRequirement { ApproverRoles = ["supervisor"] },
                });
                p.Rules.Add(new PolicyRule { Id = "allow-refunds", Outcome = PolicyOutcome.Allow, Tools = ["refund"] });
            });
        return services.BuildServiceProvider();
    }

    public static RuntimeRequest Request(decimal amount, string? idempotencyKey = null) => new()
    {
        Identity = Requester,
        Task = new AgentTask { Prompt = $"Refund invoice 42 ({amount})" },
        AllowedTools = ["refund"],
        IdempotencyKey = idempotencyKey,
    };

    public static ScriptedReply RefundCall(decimal amount) => ScriptedReply.CallTool("refund", new { invoiceId = "42", amount });

    /// <summary>Appends a line and flushes it to disk before returning: the effect is real once this returns.</summary>
    private static async Task AppendDurablyAsync(string path, string line, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        await stream.WriteAsync(bytes, cancellationToken);
        stream.Flush(flushToDisk: true);
    }
}
