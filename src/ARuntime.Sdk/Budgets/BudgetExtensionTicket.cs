using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Budgets;

/// <summary>
/// The arguments of a budget-extension approval (<see cref="ApprovalKind.BudgetExtension"/>): the exhausted dimension, its
/// use, its limit and the limit proposed. The approver approves the proposal, or approves with changes
/// <c>{"limit": n}</c> (a number above the use), or rejects.
/// </summary>
internal static class BudgetExtensionTicket
{
    /// <summary>The <see cref="ApprovalTicket.ToolName"/> of budget-extension tickets.</summary>
    public const string ToolName = "aruntime.budget_extension";

    /// <summary>The <see cref="ApprovalTicket.ToolVersion"/> of budget-extension tickets (the argument format).</summary>
    public const string Version = "1";

    public static JsonElement Arguments(BudgetDimension dimension, decimal used, decimal? limit, decimal proposed)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("dimension", dimension.ToString());
            writer.WriteNumber("used", used);
            if (limit is { } value)
            {
                writer.WriteNumber("limit", value);
            }

            writer.WriteNumber("proposedLimit", proposed);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Proposes a new limit: another budget of the same size on top of the use (at least one more unit).</summary>
    public static decimal Propose(BudgetDimension dimension, decimal used, decimal? limit)
    {
        var step = dimension == BudgetDimension.Cost ? Math.Max(limit ?? 0m, 0.01m) : Math.Max(Math.Ceiling(limit ?? 0m), 1m);
        return used + step;
    }

    public static bool TryRead(ApprovalTicket ticket, out BudgetDimension dimension, out decimal used, out decimal proposed)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        dimension = default;
        used = 0m;
        proposed = 0m;
        var arguments = ticket.Arguments;
        return ticket.Kind == ApprovalKind.BudgetExtension
            && arguments.ValueKind == JsonValueKind.Object
            && arguments.TryGetProperty("dimension", out var d) && d.ValueKind == JsonValueKind.String
            && Enum.TryParse(d.GetString(), ignoreCase: false, out dimension)
            && arguments.TryGetProperty("used", out var u) && u.TryGetDecimal(out used)
            && arguments.TryGetProperty("proposedLimit", out var p) && p.TryGetDecimal(out proposed);
    }

    /// <summary>Returns the limit an approval decision grants, or the typed error that refuses the decision.</summary>
    public static AgentError? Validate(ApprovalTicket ticket, ApprovalDecision decision, out decimal limit)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(decision);
        limit = 0m;
        if (!TryRead(ticket, out var dimension, out var used, out var proposed))
        {
            return new AgentError { Code = AgentErrorCodes.InvalidField, Field = "approvalId", Message = "The budget-extension ticket cannot be read.", Stage = LifecycleStage.HumanApproval };
        }

        limit = proposed;
        if (decision.Verdict != ApprovalVerdict.ApproveWithChanges)
        {
            return null;
        }

        if (decision.ChangedArguments is not { ValueKind: JsonValueKind.Object } changed
            || !changed.TryGetProperty("limit", out var value)
            || !value.TryGetDecimal(out limit))
        {
            return new AgentError { Code = AgentErrorCodes.InvalidField, Field = "changedArguments.limit", Message = "Approving a budget extension with changes needs {\"limit\": <number>}.", Stage = LifecycleStage.HumanApproval };
        }

        var max = dimension switch
        {
            BudgetDimension.Cost => decimal.MaxValue,
            BudgetDimension.PromptTokens or BudgetDimension.GeneratedTokens => long.MaxValue,
            _ => int.MaxValue,
        };
        if (limit <= used || limit > max || (dimension != BudgetDimension.Cost && limit != decimal.Floor(limit)))
        {
            return new AgentError
            {
                Code = AgentErrorCodes.InvalidField,
                Field = "changedArguments.limit",
                Message = string.Create(CultureInfo.InvariantCulture, $"The new {dimension} limit must be {(dimension == BudgetDimension.Cost ? "a number" : "a whole number")} above the use ({used})."),
                Stage = LifecycleStage.HumanApproval,
            };
        }

        return null;
    }
}
