using System.Globalization;
using System.Text;
using ARuntime.Sdk.Lifecycle;

namespace ARuntime.Sdk.Budgets;

/// <summary>
/// Says what a request that stopped early did and did not do, in words for the caller's qualifications: the model turns
/// taken, the tool calls that ran, the calls that were not attempted, and whether an answer was produced.
/// </summary>
internal static class WorkSummary
{
    public static string Describe(RequestContext context)
    {
        var builder = new StringBuilder(128);
        builder.Append("Done: ").Append(context.Budget.ModelTurns.ToString(CultureInfo.InvariantCulture)).Append(" model turn(s)");
        var completed = context.ToolCalls.Where(c => c.Outcome is ToolCallOutcome.Succeeded or ToolCallOutcome.Deduplicated).Select(c => c.ToolName).ToList();
        builder.Append(completed.Count > 0 ? "; tool calls completed: " + string.Join(", ", completed) : "; no tool call completed");
        builder.Append(". Not done: ");
        var notAttempted = context.ToolCalls.Where(c => c.Outcome is ToolCallOutcome.NotAttempted or ToolCallOutcome.PendingApproval).Select(c => c.ToolName).ToList();
        if (notAttempted.Count > 0)
        {
            builder.Append("tool call(s) not attempted: ").Append(string.Join(", ", notAttempted)).Append("; ");
        }

        builder.Append(context.Answer is null ? "no final answer was produced." : "the answer was not checked further.");
        return builder.ToString();
    }

    /// <summary>Lists the tool calls that completed, for evidence.</summary>
    public static string Done(RequestContext context) =>
        string.Join(',', context.ToolCalls.Where(c => c.Outcome is ToolCallOutcome.Succeeded or ToolCallOutcome.Deduplicated).Select(c => c.ToolName + ":" + c.CallId));

    /// <summary>Lists the tool calls that were not attempted, for evidence.</summary>
    public static string NotDone(RequestContext context) =>
        string.Join(',', context.ToolCalls.Where(c => c.Outcome is ToolCallOutcome.NotAttempted or ToolCallOutcome.PendingApproval).Select(c => c.ToolName + ":" + c.CallId));
}
