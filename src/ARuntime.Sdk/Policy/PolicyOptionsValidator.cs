using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// Validates the policy at startup: every rule (from code or from documents) is checked as the engine will use it, and every
/// problem loading a policy document is reported, each with its location.
/// </summary>
internal sealed class PolicyOptionsValidator : IValidateOptions<ARuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, ARuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(options.Policy.LoadErrors);
        RuleBasedPolicyEngine.Compile(options.Policy, errors);

        // The core options validator already reports a blank version and duplicate ids; avoid saying it twice.
        errors.RemoveAll(e => e.StartsWith("Policy.Version must be set", StringComparison.Ordinal) || e.Contains("is used twice", StringComparison.Ordinal));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
