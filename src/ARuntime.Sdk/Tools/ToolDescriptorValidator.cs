using System.Text.Json;
using System.Text.RegularExpressions;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Validation;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// Rejects invalid and contradictory tool declarations at registration, so that what the runtime relies on at execution
/// (retry safety, compensation, status queries) is true of every registered tool.
/// </summary>
internal static partial class ToolDescriptorValidator
{
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static void Validate(AgentTool tool)
    {
        var d = tool.Descriptor ?? throw new ToolRegistrationException(null, "the tool has no descriptor.");
        var name = d.Name;
        void Fail(string problem) => throw new ToolRegistrationException(name, problem);

        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            Fail("the name must be 1-64 characters of letters, digits, '_', '-' or '.'.");
        }

        if (!ContractVersions.IsSupported(d.ContractVersion))
        {
            Fail($"contract version '{d.ContractVersion}' is not supported.");
        }

        if (string.IsNullOrWhiteSpace(d.Version))
        {
            Fail("a version is required.");
        }

        if (string.IsNullOrWhiteSpace(d.PermissionClass))
        {
            Fail("a permission class is required (the authority an actor needs to call it).");
        }

        if (!Enum.IsDefined(d.SideEffect))
        {
            Fail("the side-effect class is not valid.");
        }

        if (d.InputSchema.ValueKind != JsonValueKind.Object
            || (d.InputSchema.TryGetProperty("type", out var type) && !(type.ValueKind == JsonValueKind.String && type.ValueEquals("object"))))
        {
            Fail("the input schema must be a JSON Schema object describing an object.");
        }

        if (!JsonSchemaValidator.Shared.TryPrepare(d.InputSchema, out var inputError))
        {
            Fail($"the input schema is invalid: {inputError}");
        }

        if (d.OutputSchema is { } output && !JsonSchemaValidator.Shared.TryPrepare(output, out var outputError))
        {
            Fail($"the output schema is invalid: {outputError}");
        }

        if (d.Timeout <= TimeSpan.Zero)
        {
            Fail("the timeout must be positive.");
        }

        if (d.MaxConcurrency is < 1)
        {
            Fail("the concurrency limit must be at least 1.");
        }

        if (d.Retry.MaxAttempts < 1)
        {
            Fail("the retry policy must allow at least one attempt.");
        }

        if (d.Retry.MaxAttempts > 1)
        {
            if (d.SideEffect is SideEffectClass.Irreversible && !d.SupportsStatusQuery)
            {
                Fail("an irreversible tool cannot be retried automatically without a status query (a retry could repeat the effect).");
            }

            if (d.Idempotency.Kind is IdempotencyKind.None && !d.SupportsStatusQuery)
            {
                Fail("automatic retries need an idempotent operation or a status query.");
            }
        }

        if (d.Retry.InitialBackoff < TimeSpan.Zero)
        {
            Fail("the retry backoff cannot be negative.");
        }

        if (d.SideEffect is SideEffectClass.ReversibleWrite && d.Compensation is null)
        {
            Fail("a reversible write must declare its compensation (otherwise declare it irreversible).");
        }

        if (d.Compensation is not null && d.SideEffect is SideEffectClass.None or SideEffectClass.Read)
        {
            Fail("a compensation makes no sense for a tool without side effects.");
        }

        if (d.AuthReference is { } auth && string.IsNullOrWhiteSpace(auth))
        {
            Fail("the auth reference cannot be blank.");
        }

        foreach (var egress in d.Egress)
        {
            if (string.IsNullOrWhiteSpace(egress))
            {
                Fail("egress entries cannot be blank.");
            }
        }

        if (d.Idempotency.KeyArguments.Count > 0)
        {
            if (!d.InputSchema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            {
                Fail("idempotency key arguments are declared but the input schema has no properties.");
            }
            else
            {
                foreach (var key in d.Idempotency.KeyArguments)
                {
                    if (!properties.TryGetProperty(key, out _))
                    {
                        Fail($"idempotency key argument '{key}' is not a property of the input schema.");
                    }
                }
            }
        }
    }
}
