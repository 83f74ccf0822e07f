using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Failures;
using ARuntime.Sdk.Protocol;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>
/// The "invalid structured output" row: an unusable reply goes back to the model with its errors for a bounded number of
/// regenerations (within the retry budget), each recorded; beyond that the request fails without any side effect.
/// </summary>
internal static class RepairLoop
{
    public static async ValueTask RequestRepairAsync(RequestContext context, LifecycleStage stage, int maxAttempts, IReadOnlyList<string> errors, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempt = context.RepairAttempts + 1;
        var withinBudget = attempt <= maxAttempts && context.Budget.CanRetry;
        await context.Evidence.WriteAsync(
            context.NewRecord(
                stage,
                EvidenceKinds.OutputRepair,
                withinBudget ? StageOutcome.Completed : StageOutcome.Failed,
                now,
                TimeSpan.Zero,
                null,
                withinBudget ? "regenerate" : "give_up",
                ["output.invalid"],
                new AttributeMap()
                {
                    ["attempt"] = attempt.ToString(CultureInfo.InvariantCulture),
                    ["max_attempts"] = maxAttempts.ToString(CultureInfo.InvariantCulture),
                    ["errors"] = string.Join(" | ", errors.Take(5)),
                }),
            EvidenceDurability.Acknowledged,
            cancellationToken).ConfigureAwait(false);

        if (!withinBudget)
        {
            context.Terminate(
                AgentRunStatus.Failed,
                new AgentError { Code = AgentErrorCodes.InvalidModelOutput, Message = $"The model's output stayed invalid after {context.RepairAttempts} repair attempt(s): {string.Join("; ", errors.Take(3))}", Stage = stage },
                FailureKind.InvalidStructuredOutput,
                stage,
                "output.invalid");
            return;
        }

        context.RepairAttempts = attempt;
        context.Budget.Retries++;
        context.Transcript.Add(AgentMessage.User(PromptBuilder.RepairPreamble + string.Join("; ", errors.Take(5)) + ". Reply again, following the required format."));
    }
}
