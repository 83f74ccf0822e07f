using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ARuntime.Sdk;
using ARuntime.Sdk.Contracts;

namespace QuickStart;

/// <summary>How the QuickStart prints its result: a readable report, or one JSON object with <c>--json</c>.</summary>
public static class QuickStartOutput
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Returns the <c>--json</c> object: <c>status</c>, <c>answer</c>, <c>requestId</c>, <c>stages</c> (name, outcome, durationMs,
    /// in lifecycle order) and <c>usage</c>, plus the facts the setups report. Fields are only ever added, never removed.
    /// </summary>
    /// <param name="result">The result.</param>
    /// <param name="facts">Extra facts (for example the evidence database path).</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(AgentResult result, IReadOnlyDictionary<string, string> facts)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(facts);
        var stages = new JsonArray();
        foreach (var stage in result.Stages)
        {
            stages.Add(new JsonObject
            {
                ["name"] = stage.Stage.ToString(),
                ["outcome"] = stage.Outcome.ToString(),
                ["durationMs"] = Math.Round(stage.Duration.TotalMilliseconds, 3),
                ["executions"] = stage.Executions,
            });
        }

        var output = new JsonObject
        {
            ["status"] = result.Status.ToString(),
            ["answer"] = result.Answer,
            ["requestId"] = result.RequestId,
            ["stages"] = stages,
            ["usage"] = JsonSerializer.SerializeToNode(result.Usage, Json),
            ["toolCalls"] = JsonSerializer.SerializeToNode(result.ToolCalls.Select(c => new { c.ToolName, Outcome = c.Outcome.ToString() }), Json),
            ["evidenceRecords"] = result.EvidenceRecordCount,
        };
        foreach (var (key, value) in facts)
        {
            output[key] = value;
        }

        if (result.Error is { } error)
        {
            output["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message, ["field"] = error.Field };
        }

        return output.ToJsonString(Json);
    }

    /// <summary>Prints the answer, the stage timeline and the evidence records.</summary>
    /// <param name="result">The result.</param>
    /// <param name="records">The request's evidence records.</param>
    /// <param name="facts">Extra facts to print.</param>
    /// <param name="orders">The order desk (to show the side effect).</param>
    public static void Print(AgentResult result, IReadOnlyList<EvidenceRecord> records, IReadOnlyDictionary<string, string> facts, OrderDesk orders)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(orders);
        Console.WriteLine($"Status:  {result.Status}");
        Console.WriteLine($"Answer:  {result.Answer ?? result.Error?.Message}");
        Console.WriteLine($"Request: {result.RequestId}");
        Console.WriteLine();
        Console.WriteLine("Tool calls:");
        foreach (var call in result.ToolCalls)
        {
            Console.WriteLine($"  {call.ToolName,-18} {call.Outcome,-12} {call.OperationKey}");
        }

        Console.WriteLine($"Refunds in the order desk: {string.Join(", ", orders.Refunds.Select(r => $"{r.Key}={r.Value.ToString(CultureInfo.InvariantCulture)}"))}");
        Console.WriteLine();
        Console.WriteLine("Lifecycle (stage, last outcome, executions, time):");
        foreach (var stage in result.Stages)
        {
            Console.WriteLine($"  {(int)stage.Stage,2}. {stage.Stage,-22} {stage.Outcome,-14} x{stage.Executions}  {stage.Duration.TotalMilliseconds,8:0.000} ms");
        }

        Console.WriteLine();
        Console.WriteLine($"Evidence ({records.Count} records; digests and sizes, not raw text):");
        foreach (var record in records)
        {
            var payloads = record.Payloads.Count == 0 ? string.Empty : "  " + string.Join(' ', record.Payloads.Select(p => $"{p.Name}:{p.Digest[..12]}/{p.Length}B"));
            Console.WriteLine($"  #{record.Sequence,-3} {record.Stage,-22} {record.Kind,-18} {record.Outcome,-14} {record.Decision}{payloads}");
        }

        Console.WriteLine();
        Console.WriteLine($"Usage: {result.Usage.PromptTokens} prompt + {result.Usage.GeneratedTokens} generated tokens, {result.Usage.ModelTurns} model turns, {result.Usage.ToolCalls} tool calls.");
        foreach (var (key, value) in facts)
        {
            Console.WriteLine($"{key}: {value}");
        }
    }
}
