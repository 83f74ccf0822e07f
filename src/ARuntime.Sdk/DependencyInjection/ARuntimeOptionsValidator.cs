using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.DependencyInjection;

/// <summary>Validates <see cref="ARuntimeOptions"/> at startup, with messages that name the option and say what to do.</summary>
internal sealed class ARuntimeOptionsValidator(IServiceProvider services) : IValidateOptions<ARuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, ARuntimeOptions options)
    {
        var failures = new List<string>();
        void Require(bool condition, string message)
        {
            if (!condition)
            {
                failures.Add(message);
            }
        }

        Require(!string.IsNullOrWhiteSpace(options.AgentName), "AgentName must be set.");
        Require(options.TerminationGracePeriod > TimeSpan.Zero, "TerminationGracePeriod must be positive.");
        Require(options.Admission.MaxTaskCharacters > 0, "Admission.MaxTaskCharacters must be positive.");
        Require(options.Admission.MaxHistoryMessages >= 0, "Admission.MaxHistoryMessages cannot be negative.");
        Require(options.Admission.MaxConcurrentRequests > 0, "Admission.MaxConcurrentRequests must be positive.");
        Require(options.Admission.MaxQueuedRequests >= 0, "Admission.MaxQueuedRequests cannot be negative.");
        Require(options.Admission.MaxIdentifierLength > 0, "Admission.MaxIdentifierLength must be positive.");
        Require(options.Budgets.MaxPromptTokens is null or >= 0, "Budgets.MaxPromptTokens cannot be negative.");
        Require(options.Budgets.MaxGeneratedTokens is null or >= 0, "Budgets.MaxGeneratedTokens cannot be negative.");
        Require(options.Budgets.MaxWallTime is null || options.Budgets.MaxWallTime > TimeSpan.Zero, "Budgets.MaxWallTime must be positive.");
        Require(options.Budgets.MaxCost is null or >= 0, "Budgets.MaxCost cannot be negative.");
        Require(options.Budgets.MaxToolCalls is null or >= 0, "Budgets.MaxToolCalls cannot be negative.");
        Require(options.Budgets.MaxRetries is null or >= 0, "Budgets.MaxRetries cannot be negative.");
        Require(options.Budgets.MaxModelTurns is null or >= 0, "Budgets.MaxModelTurns cannot be negative.");
        Require(options.Budgets.MaxHumanReviews is null or >= 0, "Budgets.MaxHumanReviews cannot be negative.");
        Require(options.Budgets.ToolPrices.Values.All(p => p >= 0), "Budgets.ToolPrices cannot hold negative prices.");
        Require(options.Inference.MaxOutputTokensPerTurn > 0, "Inference.MaxOutputTokensPerTurn must be positive.");
        Require(options.Inference.MaxRepairAttempts >= 0, "Inference.MaxRepairAttempts cannot be negative.");
        Require(options.Inference.Sampling is not null, "Inference.Sampling must be set.");
        Require(options.Context.SourceTimeout > TimeSpan.Zero, "Context.SourceTimeout must be positive.");
        Require(options.Context.SourceRetries >= 0, "Context.SourceRetries cannot be negative.");
        Require(options.Context.MaxContextTokens > 0, "Context.MaxContextTokens must be positive.");
        Require(options.Context.DefaultMaxItems > 0, "Context.DefaultMaxItems must be positive.");
        Require(options.Evidence.PayloadHashKey.IsEmpty || options.Evidence.PayloadHashKey.Length >= 32, "Evidence.PayloadHashKey must be at least 32 bytes (or empty for plain SHA-256).");
        Require(options.Evidence.MaxBufferedRecords >= 0, "Evidence.MaxBufferedRecords cannot be negative.");
        Require(options.Evidence.ReconcileInterval is null || options.Evidence.ReconcileInterval > TimeSpan.Zero, "Evidence.ReconcileInterval must be positive (or null to retry only on writes and flushes).");
        Require(options.Routing.MaxAttemptsPerDeployment >= 1, "Routing.MaxAttemptsPerDeployment must be at least 1.");
        Require(options.Context.DefaultMaxAge is null || options.Context.DefaultMaxAge > TimeSpan.Zero, "Context.DefaultMaxAge must be positive (or null to accept items of any age).");
        Require(options.Context.FallbackSources.All(f => !string.Equals(f.Key, f.Value, StringComparison.Ordinal)), "Context.FallbackSources cannot name a source as its own fallback.");
        Require(options.Idempotency.Retention > TimeSpan.Zero, "Idempotency.Retention must be positive.");
        Require(options.Approvals.DefaultExpiry > TimeSpan.Zero, "Approvals.DefaultExpiry must be positive.");
        Require(options.Approvals.ExpirySweepInterval is null || options.Approvals.ExpirySweepInterval > TimeSpan.Zero, "Approvals.ExpirySweepInterval must be positive (or null to end expired requests only when resumed or swept by the host).");
        Require(!string.IsNullOrWhiteSpace(options.Policy.Version), "Policy.Version must be set.");
        Require(
            options.Policy.Format is null || options.Policy.DocumentApplied,
            $"Policy holds a policy document (format '{options.Policy.Format}') bound by the options binder, which cannot read its rules; read the section with ConfigurePolicy(configuration.GetSection(\"ARuntime:Policy\")) (or wherever the document is).");
        Require(!string.IsNullOrWhiteSpace(options.Routing.RulesVersion), "Routing.RulesVersion must be set.");

        var ruleIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in options.Policy.Rules)
        {
            Require(rule is not null && !string.IsNullOrWhiteSpace(rule.Id), "Every policy rule needs an id.");
            if (rule is not null && !string.IsNullOrWhiteSpace(rule.Id))
            {
                Require(ruleIds.Add(rule.Id), $"Policy rule id '{rule.Id}' is used twice.");
            }
        }

        var registrations = services.GetServices<DeploymentRegistration>().ToList();
        foreach (var deployment in registrations.Select(r => r.Deployment))
        {
            // A negative price gives budget back with every call (a cost budget would never stop the request); a timeout
            // that is not positive times every attempt out before the deployment can answer.
            var pricing = deployment.Pricing;
            Require(pricing.PerCall >= 0, $"Deployment '{deployment.Name}': Pricing.PerCall cannot be negative.");
            Require(pricing.PerMillionPromptTokens >= 0, $"Deployment '{deployment.Name}': Pricing.PerMillionPromptTokens cannot be negative.");
            Require(pricing.PerMillionGeneratedTokens >= 0, $"Deployment '{deployment.Name}': Pricing.PerMillionGeneratedTokens cannot be negative.");
            Require(deployment.Timeout > TimeSpan.Zero || deployment.Timeout == Timeout.InfiniteTimeSpan, $"Deployment '{deployment.Name}': Timeout must be positive (or Timeout.InfiniteTimeSpan).");
        }

        var deployments = registrations.Select(r => r.Deployment.Name).ToHashSet(StringComparer.Ordinal);
        if (options.Routing.DefaultDeployment is { } defaultDeployment)
        {
            Require(deployments.Contains(defaultDeployment), $"Routing.DefaultDeployment '{defaultDeployment}' is not a registered deployment (AddDeployment / UseLlamaSharp).");
        }

        foreach (var fallback in options.Routing.DefaultFallbacks)
        {
            Require(deployments.Contains(fallback), $"Routing.DefaultFallbacks names '{fallback}', which is not a registered deployment.");
        }

        // Evidence fails closed: a runtime without an evidence sink does not start unless the host opted in to volatile storage.
        var isService = services.GetService<IServiceProviderIsService>();
        var hasSink = isService?.IsService(typeof(IEvidenceSink)) ?? services.GetService<IEvidenceSink>() is not null;
        Require(hasSink,
            "No evidence sink is registered. Register durable evidence (for example UseSqlCipherStore(...)) or, for development and tests only, call UseInMemoryEvidence() to accept volatile evidence explicitly.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
