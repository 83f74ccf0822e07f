using System.Text.Json;

namespace ARuntime.Sdk.Inference;

/// <summary>The form the model's output must take: free text, or JSON satisfying a schema.</summary>
public sealed record InferenceResponseFormat
{
    /// <summary>Free text.</summary>
    public static InferenceResponseFormat Text { get; } = new();

    /// <summary>Gets the kind of output.</summary>
    public ResponseFormatKind Kind { get; init; } = ResponseFormatKind.Text;

    /// <summary>Gets the JSON Schema, for <see cref="ResponseFormatKind.JsonSchema"/>.</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>Gets a name for the schema (engines may cache compiled constraints by it together with the schema text).</summary>
    public string? SchemaName { get; init; }

    /// <summary>Creates a JSON Schema format.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="name">An optional name.</param>
    /// <returns>The format.</returns>
    public static InferenceResponseFormat ForJsonSchema(JsonElement schema, string? name = null) =>
        new() { Kind = ResponseFormatKind.JsonSchema, Schema = schema, SchemaName = name };
}
