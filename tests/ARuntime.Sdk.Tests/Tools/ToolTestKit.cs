using System.Collections.Concurrent;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Tests.Tools;

/// <summary>A stand-in for an external system of record: counts the effects applied per operation key and can undo them.</summary>
internal sealed class SystemOfRecord
{
    private readonly ConcurrentDictionary<string, int> applied = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> undone = new();
    private int executions;

    /// <summary>Gets how many times an effect was applied, in total.</summary>
    public int Executions => Volatile.Read(ref executions);

    /// <summary>Gets the operation keys undone, in order.</summary>
    public IReadOnlyList<string> Undone => [.. undone];

    public void Apply(string operationKey)
    {
        Interlocked.Increment(ref executions);
        applied.AddOrUpdate(operationKey, 1, (_, n) => n + 1);
    }

    public int TimesApplied(string operationKey) => applied.TryGetValue(operationKey, out var n) ? n : 0;

    public bool Undo(string operationKey)
    {
        undone.Enqueue(operationKey);
        return applied.TryRemove(operationKey, out _);
    }

    /// <summary>Reports an operation's state; a completed one reports <paramref name="output"/> (default: the text <c>done:&lt;key&gt;</c>).</summary>
    public ToolOperationStatus Status(string operationKey, JsonElement? output = null) => TimesApplied(operationKey) > 0
        ? new ToolOperationStatus { State = OperationState.Succeeded, Result = ToolResult.Success(output ?? JsonSerializer.SerializeToElement("done:" + operationKey)) }
        : new ToolOperationStatus { State = OperationState.NotFound };
}

internal static class ToolTestKit
{
    public static RequestIdentity Identity(string actorId, params string[] roles) => new()
    {
        TenantId = "tenant-test",
        Actor = new ActorIdentity { Id = actorId, Roles = roles },
    };

    /// <summary>A policy rule allowing every call of the named tools (side-effecting tools are denied without one).</summary>
    public static PolicyRule Allow(params string[] tools) => new() { Id = "allow-" + string.Join('-', tools), Outcome = PolicyOutcome.Allow, Tools = tools };

    /// <summary>Returns every message the engine received in call <paramref name="index"/> (0-based), concatenated.</summary>
    public static string Prompt(AgentTestHarness harness, int index) =>
        string.Join('\n', harness.Engine.Requests[index].Messages.Select(m => m.Content));

    /// <summary>Serializes every evidence record of a request (what an auditor could read).</summary>
    public static string EvidenceJson(AgentTestHarness harness, string requestId) =>
        JsonSerializer.Serialize(harness.Evidence.ForRequest(requestId), ARuntimeJsonContext.Default.IReadOnlyListEvidenceRecord);

    public static string ResultJson(AgentResult result) => JsonSerializer.Serialize(result, ARuntimeJsonContext.Default.AgentResult);

    public static ToolCallSummary Call(AgentResult result, string toolName) => result.ToolCalls.Single(c => c.ToolName == toolName);
}
