using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Validation;
using Json.Pointer;

namespace ARuntime.Sdk.Tools;

/// <summary>
/// Rejects invalid and contradictory tool declarations at registration, so that what the runtime relies on at execution
/// (retry safety, compensation, status queries, operation keys) is true of every registered tool.
/// </summary>
internal static partial class ToolDescriptorValidator
{
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static void Validate(AgentTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
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
            Fail("the input schema must be a JSON Schema object describing an object (the arguments are a JSON object).");
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

        ValidateRetry(d, Fail);
        ValidateCompensation(tool, d, Fail);

        if (d.SupportsStatusQuery && !Overrides(tool.GetType(), nameof(AgentTool.QueryStatusAsync)))
        {
            Fail("the descriptor declares a status query but the tool does not implement QueryStatusAsync.");
        }

        if (d.AuthReference is { } auth && (string.IsNullOrWhiteSpace(auth) || auth.Any(char.IsWhiteSpace)))
        {
            Fail("the auth reference must be a non-blank name without whitespace (it names a credential; it is never the credential itself).");
        }

        foreach (var egress in d.Egress)
        {
            if (string.IsNullOrWhiteSpace(egress) || egress.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                Fail($"egress entry '{egress}' must be a host or resource name without whitespace.");
            }
        }

        ValidateIdempotency(d, Fail);
    }

    /// <summary>Returns whether <paramref name="type"/> overrides the <see cref="AgentTool"/> method <paramref name="method"/>.</summary>
    internal static bool Overrides(Type type, string method)
    {
        var found = type.GetMethod(method, BindingFlags.Public | BindingFlags.Instance);
        return found is not null && found.GetBaseDefinition().DeclaringType == typeof(AgentTool) && found.DeclaringType != typeof(AgentTool);
    }

    private static void ValidateRetry(ToolDescriptor d, Action<string> fail)
    {
        if (d.Retry is null)
        {
            fail("the retry policy cannot be null (use ToolRetryPolicy.None).");
            return;
        }

        if (d.Retry.MaxAttempts < 1)
        {
            fail("the retry policy must allow at least one attempt.");
        }

        if (d.Retry.InitialBackoff < TimeSpan.Zero)
        {
            fail("the retry backoff cannot be negative.");
        }

        // Reading is idempotent by nature; a side effect is retried only when repeating it is provably harmless.
        var idempotent = d.SideEffect <= SideEffectClass.Read || d.Idempotency?.Kind is IdempotencyKind.Natural or IdempotencyKind.OperationKey;
        if (d.Retry.MaxAttempts > 1)
        {
            if (d.SideEffect is SideEffectClass.Irreversible && !d.SupportsStatusQuery && d.Idempotency?.Kind is not IdempotencyKind.OperationKey)
            {
                fail("an irreversible tool cannot be retried automatically without a status query or operation-key deduplication (a retry could repeat the effect).");
            }

            if (!idempotent && !d.SupportsStatusQuery)
            {
                fail("automatic retries of a side effect need an idempotent operation (ToolIdempotency) or a status query.");
            }
        }

        if (d.Retry.RetryOnTimeout && !idempotent && !d.SupportsStatusQuery)
        {
            fail("retrying a timed-out call needs an idempotent operation or a status query (the timed-out attempt may have taken effect).");
        }
    }

    private static void ValidateCompensation(AgentTool tool, ToolDescriptor d, Action<string> fail)
    {
        if (d.SideEffect is SideEffectClass.ReversibleWrite && d.Compensation is null)
        {
            fail("a reversible write must declare its compensation (otherwise declare it irreversible).");
        }

        if (d.Compensation is not { } compensation)
        {
            return;
        }

        if (d.SideEffect is SideEffectClass.None or SideEffectClass.Read)
        {
            fail("a compensation makes no sense for a tool without side effects.");
        }

        if (d.SideEffect is SideEffectClass.Irreversible)
        {
            fail("an irreversible tool cannot declare a compensation (its effect cannot be undone); declare it a reversible write if the compensation undoes it.");
        }

        if (compensation.Timeout <= TimeSpan.Zero)
        {
            fail("the compensation timeout must be positive.");
        }

        if (compensation.MaxAttempts < 1)
        {
            fail("the compensation must allow at least one attempt.");
        }

        if (!Overrides(tool.GetType(), nameof(AgentTool.CompensateAsync)))
        {
            fail("the descriptor declares a compensation but the tool does not implement CompensateAsync.");
        }
    }

    private static void ValidateIdempotency(ToolDescriptor d, Action<string> fail)
    {
        if (d.Idempotency is null)
        {
            fail("the idempotency declaration cannot be null (use ToolIdempotency.NotIdempotent).");
            return;
        }

        if (!Enum.IsDefined(d.Idempotency.Kind) || !Enum.IsDefined(d.Idempotency.Scope))
        {
            fail("the idempotency kind or scope is not valid.");
        }

        if (d.Idempotency.KeyArguments.Count == 0)
        {
            return;
        }

        if (d.Idempotency.KeyArguments.Distinct(StringComparer.Ordinal).Count() != d.Idempotency.KeyArguments.Count)
        {
            fail("idempotency key arguments are listed twice.");
        }

        var properties = default(JsonElement);
        var hasProperties = d.InputSchema.ValueKind == JsonValueKind.Object
            && d.InputSchema.TryGetProperty("properties", out properties) && properties.ValueKind == JsonValueKind.Object;
        foreach (var key in d.Idempotency.KeyArguments)
        {
            if (string.IsNullOrEmpty(key))
            {
                fail("an idempotency key argument is blank.");
            }
            else if (key.StartsWith('/'))
            {
                if (!JsonPointer.TryParse(key, out _))
                {
                    fail($"idempotency key argument '{key}' is not a valid JSON Pointer.");
                }
            }
            else if (!hasProperties || !properties.TryGetProperty(key, out _))
            {
                fail($"idempotency key argument '{key}' is not a property of the input schema.");
            }
        }
    }
}
