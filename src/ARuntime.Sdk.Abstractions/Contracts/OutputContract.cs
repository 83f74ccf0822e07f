using System.Text.Json;

namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The shape the final answer must have: a JSON Schema (draft 2020-12 subset). When present, the answer is requested as
/// JSON, constrained by the schema where the engine supports it, and validated against it before it is returned.
/// </summary>
public sealed record OutputContract
{
    /// <summary>Gets the JSON Schema the answer must satisfy.</summary>
    public required JsonElement Schema { get; init; }

    /// <summary>Gets a short name for the schema (used in prompts and evidence).</summary>
    public string? Name { get; init; }

    /// <summary>Gets a description of what the answer should contain.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the schema's version, recorded in evidence.</summary>
    public string? SchemaVersion { get; init; }

    /// <summary>Creates a contract from schema text.</summary>
    /// <param name="schemaJson">The JSON Schema as text.</param>
    /// <param name="name">An optional name.</param>
    /// <returns>The contract.</returns>
    /// <exception cref="JsonException"><paramref name="schemaJson"/> is not JSON.</exception>
    public static OutputContract FromJson(string schemaJson, string? name = null)
    {
        using var document = JsonDocument.Parse(schemaJson);
        return new OutputContract { Schema = document.RootElement.Clone(), Name = name };
    }
}
