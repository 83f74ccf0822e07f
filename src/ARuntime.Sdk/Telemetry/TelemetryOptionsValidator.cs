using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Telemetry;

/// <summary>Validates <see cref="ARuntimeOptions.Telemetry"/> at startup.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<ARuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, ARuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var telemetry = options.Telemetry;
        var failures = new List<string>();
        if (telemetry.MaxContentLength <= 0)
        {
            failures.Add("Telemetry.MaxContentLength must be positive.");
        }

        if (!telemetry.TenantHashKey.IsEmpty && telemetry.TenantHashKey.Length < 32)
        {
            failures.Add("Telemetry.TenantHashKey must be at least 32 bytes (or empty for plain SHA-256).");
        }

        if (!Enum.IsDefined(telemetry.Tenant))
        {
            failures.Add($"Telemetry.Tenant has an unknown value ({(int)telemetry.Tenant}).");
        }

        if (telemetry.AgentId is { } agentId && string.IsNullOrWhiteSpace(agentId))
        {
            failures.Add("Telemetry.AgentId cannot be blank (leave it null to use AgentName).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
