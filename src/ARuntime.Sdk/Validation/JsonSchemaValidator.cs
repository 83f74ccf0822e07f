using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using Json.Schema;

namespace ARuntime.Sdk.Validation;

/// <summary>
/// Validates JSON against JSON Schema (draft 2020-12) with JsonSchema.Net. Built schemas are cached by content, so validating
/// against the same tool or output schema repeatedly costs only the evaluation.
/// </summary>
public sealed class JsonSchemaValidator
{
    private const int MaxCachedSchemas = 1024;
    private readonly ConcurrentDictionary<string, JsonSchema> cache = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<ToolDescriptor, ToolSchemas> toolSchemas = [];

    // A valid instance needs only a yes/no answer; the detailed (list) evaluation runs only to explain a failure.
    private readonly EvaluationOptions flagOptions = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };
    private readonly EvaluationOptions evaluationOptions = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>Gets a shared instance.</summary>
    public static JsonSchemaValidator Shared { get; } = new();

    /// <summary>Validates <paramref name="instance"/> against <paramref name="schema"/>.</summary>
    /// <param name="schema">The JSON Schema.</param>
    /// <param name="instance">The JSON to validate.</param>
    /// <returns>The result, with every violation.</returns>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid JSON Schema.</exception>
    public SchemaValidationResult Validate(JsonElement schema, JsonElement instance) => Validate(GetOrBuild(schema), instance);

    /// <summary>Validates a tool call's arguments against the tool's input schema (prepared once per descriptor).</summary>
    internal SchemaValidationResult ValidateInput(ToolDescriptor tool, JsonElement arguments) =>
        Validate(SchemasOf(tool).Input, arguments);

    /// <summary>Validates a tool's output against its output schema (prepared once per descriptor); valid when it declares none.</summary>
    internal SchemaValidationResult ValidateOutput(ToolDescriptor tool, JsonElement output) =>
        SchemasOf(tool).Output is { } schema ? Validate(schema, output) : SchemaValidationResult.Valid;

    private ToolSchemas SchemasOf(ToolDescriptor tool) =>
        toolSchemas.GetValue(tool, d => new ToolSchemas(GetOrBuild(d.InputSchema), d.OutputSchema is { } output ? GetOrBuild(output) : null));

    private SchemaValidationResult Validate(JsonSchema built, JsonElement instance)
    {
        if (built.Evaluate(instance, flagOptions).IsValid)
        {
            return SchemaValidationResult.Valid;
        }

        var results = built.Evaluate(instance, evaluationOptions);
        if (results.IsValid)
        {
            return SchemaValidationResult.Valid;
        }

        var errors = new List<string>();
        Collect(results, errors);
        if (errors.Count == 0)
        {
            errors.Add("/: the value does not satisfy the schema.");
        }

        return new SchemaValidationResult { IsValid = false, Errors = errors };
    }

    /// <summary>Checks that <paramref name="schema"/> is a JSON Schema this validator can use.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="error">Why not, when it is not.</param>
    /// <returns><see langword="true"/> when usable.</returns>
    public bool TryPrepare(JsonElement schema, out string? error)
    {
        try
        {
            GetOrBuild(schema);
            error = null;
            return true;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private JsonSchema GetOrBuild(JsonElement schema)
    {
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            throw new ArgumentException("A JSON Schema must be an object or a boolean.", nameof(schema));
        }

        var text = schema.GetRawText();
        if (cache.TryGetValue(text, out var cached))
        {
            return cached;
        }

        if (SchemaRecursionGuard.FindProblem(schema) is { } problem)
        {
            throw new ArgumentException($"Invalid JSON Schema: {problem}.", nameof(schema));
        }

        JsonSchema built;
        try
        {
            // A private registry per schema and a content-derived base URI keep unrelated schemas (and their $ids) from
            // colliding and keep the global registry from growing with every schema seen. Without "$schema" the dialect
            // is 2020-12 (JsonSchema.Net's own default is its newer v1 dialect, which refuses unknown keywords).
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
            var options = new BuildOptions { Dialect = Dialect.Draft202012, SchemaRegistry = new SchemaRegistry() };
            built = JsonSchema.Build(schema, options, new Uri(string.Create(CultureInfo.InvariantCulture, $"https://schemas.aruntime.local/{hash}")));
        }
        catch (Exception ex) when (ex is JsonSchemaException or JsonException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            throw new ArgumentException($"Invalid JSON Schema: {ex.Message}", nameof(schema), ex);
        }

        if (cache.Count >= MaxCachedSchemas)
        {
            cache.Clear();
        }

        cache[text] = built;
        return built;
    }

    private static void Collect(EvaluationResults results, List<string> errors)
    {
        if (results.Errors is { Count: > 0 } own)
        {
            foreach (var (keyword, message) in own)
            {
                errors.Add($"{Location(results)}: {message} ({keyword})");
            }
        }

        if (results.Details is { Count: > 0 } details)
        {
            foreach (var detail in details)
            {
                if (!detail.IsValid)
                {
                    Collect(detail, errors);
                }
            }
        }
    }

    private sealed record ToolSchemas(JsonSchema Input, JsonSchema? Output);

    private static string Location(EvaluationResults results)
    {
        var location = results.InstanceLocation.ToString();
        return string.IsNullOrEmpty(location) ? "/" : location;
    }
}
