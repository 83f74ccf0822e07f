using System.Globalization;
using System.Text.Json;
using ARuntime.Sdk.LlamaSharp.Grammar.Compilation;
using ARuntime.Sdk.Validation;
using Json.Schema;

namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>
/// Validates model output against a JSON Schema with JsonSchema.Net: the engine's defence in depth behind grammar-
/// constrained sampling (results in the shape of the core <see cref="ARuntime.Sdk.Validation.JsonSchemaValidator"/>). Output is parsed strictly (UTF-8, no duplicate property names, no comments or trailing commas),
/// <c>format</c> is asserted (not just annotated), and the dialect follows the schema's <c>$schema</c> (2020-12 when
/// absent), as for the compiler. Instances are immutable and thread-safe; build one per schema and reuse it.
/// </summary>
internal sealed class SchemaValidator
{
    private static readonly JsonDocumentOptions StrictParsing = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 256,
    };

    private readonly JsonSchema schema;
    private readonly BuildOptions buildOptions;
    private readonly Dictionary<string, JsonSchema> subschemas = new(StringComparer.Ordinal);
    private readonly Lock subschemaLock = new();

    private SchemaValidator(JsonSchema schema, BuildOptions buildOptions)
    {
        this.schema = schema;
        this.buildOptions = buildOptions;
    }

    /// <summary>Creates a validator for <paramref name="schemaElement"/>.</summary>
    /// <exception cref="UnsupportedSchemaException">JsonSchema.Net cannot load the schema, or evaluating it would recurse
    /// forever (a <c>$ref</c>/<c>allOf</c>/<c>anyOf</c>/<c>oneOf</c> cycle on the same value: a stack overflow in .NET).</exception>
    public static SchemaValidator Create(JsonElement schemaElement)
    {
        var document = new SchemaDocument(schemaElement);
        SchemaReferenceGraph.Check(document);
        var options = new BuildOptions
        {
            // A registry per schema: nothing is shared between schemas or leaks into the global registry.
            SchemaRegistry = new SchemaRegistry(),
            Dialect = document.Dialect switch
            {
                SchemaDialect.Draft6 => Dialect.Draft06,
                SchemaDialect.Draft7 => Dialect.Draft07,
                SchemaDialect.Draft201909 => Dialect.Draft201909,
                _ => Dialect.Draft202012,
            },
        };

        try
        {
            var baseUri = document.RootId is not null && Uri.TryCreate(document.RootId, UriKind.Absolute, out var id)
                ? id
                : new Uri("urn:aruntime:schema:" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture));
            return new SchemaValidator(JsonSchema.Build(schemaElement.Clone(), options, baseUri), options);
        }
        catch (Exception error) when (error is JsonSchemaException or JsonException or ArgumentException or InvalidOperationException or FormatException or UriFormatException)
        {
            throw new UnsupportedSchemaException(string.Empty, string.Empty, "the schema validator cannot load the schema: " + error.Message);
        }
    }

    /// <summary>Validates JSON text (for example generated output).</summary>
    public SchemaValidationResult Validate(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, StrictParsing);
        }
        catch (JsonException error)
        {
            return new SchemaValidationResult { IsValid = false, Errors = ["/: the output is not valid JSON: " + error.Message] };
        }

        using (document)
        {
            return Validate(document.RootElement);
        }
    }

    /// <summary>Validates a parsed JSON value.</summary>
    public SchemaValidationResult Validate(JsonElement instance) => Evaluate(schema, instance);

    /// <summary>
    /// Validates a value against the subschema at <paramref name="jsonPointer"/> within the same document (used by the
    /// compiler to check which <c>enum</c>/<c>const</c> values also satisfy their sibling keywords).
    /// </summary>
    internal SchemaValidationResult ValidateAt(string jsonPointer, JsonElement instance)
    {
        JsonSchema target;
        lock (subschemaLock)
        {
            if (!subschemas.TryGetValue(jsonPointer, out target!))
            {
                var fragment = string.Join('/', jsonPointer.Split('/').Select(Uri.EscapeDataString));
                var reference = JsonText.Quote(schema.BaseUri.OriginalString + "#" + fragment);
                using var wrapper = JsonDocument.Parse("{\"$ref\":" + reference + "}");
                target = JsonSchema.Build(wrapper.RootElement.Clone(), buildOptions, new Uri("urn:aruntime:subschema:" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)));
                subschemas[jsonPointer] = target;
            }
        }

        return Evaluate(target, instance);
    }

    private static SchemaValidationResult Evaluate(JsonSchema schema, JsonElement instance)
    {
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid)
        {
            return SchemaValidationResult.Valid;
        }

        var errors = new List<string>();
        void Collect(EvaluationResults node)
        {
            if (node.Errors is { Count: > 0 } nodeErrors)
            {
                foreach (var (keyword, message) in nodeErrors)
                {
                    errors.Add($"{(node.InstanceLocation.ToString() is { Length: > 0 } location ? location : "/")}: {message} ({keyword})");
                }
            }

            foreach (var detail in node.Details ?? [])
            {
                Collect(detail);
            }
        }

        Collect(results);
        return new SchemaValidationResult { IsValid = false, Errors = errors.Count > 0 ? errors : ["/: the value does not satisfy the schema"] };
    }
}
