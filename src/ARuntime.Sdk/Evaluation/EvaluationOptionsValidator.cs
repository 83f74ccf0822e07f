using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Evaluation;

/// <summary>Validates <see cref="ARuntimeOptions.Evaluation"/> at startup.</summary>
internal sealed class EvaluationOptionsValidator : IValidateOptions<ARuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, ARuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var evaluation = options.Evaluation;
        var failures = new List<string>();
        void Require(bool condition, string message)
        {
            if (!condition)
            {
                failures.Add(message);
            }
        }

        Require(evaluation.EvaluatorTimeout > TimeSpan.Zero, "Evaluation.EvaluatorTimeout must be positive.");
        Require(evaluation.LatencyTarget is null || evaluation.LatencyTarget > TimeSpan.Zero, "Evaluation.LatencyTarget must be positive.");
        Require(evaluation.TimeToFirstTokenTarget is null || evaluation.TimeToFirstTokenTarget > TimeSpan.Zero, "Evaluation.TimeToFirstTokenTarget must be positive.");
        Require(evaluation.CostTarget is null or >= 0, "Evaluation.CostTarget cannot be negative.");
        Require(evaluation.TokenTarget is null or >= 0, "Evaluation.TokenTarget cannot be negative.");
        Require(evaluation.MaxPolicyDenials >= 0, "Evaluation.MaxPolicyDenials cannot be negative.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
