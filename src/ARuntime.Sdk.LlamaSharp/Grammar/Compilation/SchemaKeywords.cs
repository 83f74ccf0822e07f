namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>The keywords the compiler knows, by how it treats them.</summary>
internal static class SchemaKeywords
{
    /// <summary>Gets annotation keywords: they do not constrain values and are ignored.</summary>
    public static IReadOnlySet<string> Annotations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "title", "description", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly",
        "contentEncoding", "contentMediaType", "contentSchema", "$schema", "$id", "$anchor", "$defs", "definitions",
    };

    /// <summary>Gets the assertion and applicator keywords the compiler turns into grammar.</summary>
    public static IReadOnlySet<string> Supported { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "type", "enum", "const", "properties", "required", "additionalProperties", "minProperties", "maxProperties",
        "items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems",
        "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "anyOf", "oneOf", "allOf", "$ref",
    };

    /// <summary>Gets known keywords the compiler rejects, with the reason.</summary>
    public static IReadOnlyDictionary<string, string> Unsupported { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["not"] = "negation cannot be expressed as a grammar",
        ["if"] = "conditional schemas (if/then/else) are not supported",
        ["then"] = "conditional schemas (if/then/else) are not supported",
        ["else"] = "conditional schemas (if/then/else) are not supported",
        ["patternProperties"] = "property names matched by patterns are not supported",
        ["propertyNames"] = "constraints on property names are not supported",
        ["dependentRequired"] = "dependencies between properties are not supported",
        ["dependentSchemas"] = "dependencies between properties are not supported",
        ["dependencies"] = "dependencies between properties are not supported",
        ["unevaluatedProperties"] = "unevaluatedProperties is not supported",
        ["unevaluatedItems"] = "unevaluatedItems is not supported",
        ["multipleOf"] = "multipleOf is not supported",
        ["contains"] = "contains is not supported",
        ["minContains"] = "minContains is not supported",
        ["maxContains"] = "maxContains is not supported",
        ["$dynamicRef"] = "dynamic references are not supported",
        ["$dynamicAnchor"] = "dynamic references are not supported",
        ["$recursiveRef"] = "recursive references ($recursiveRef) are not supported",
        ["$recursiveAnchor"] = "recursive references ($recursiveRef) are not supported",
        ["$vocabulary"] = "custom vocabularies are not supported",
    };

    /// <summary>Gets keywords that make a schema without <c>type</c> generate objects.</summary>
    public static IReadOnlySet<string> ObjectKeywords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "properties", "required", "additionalProperties", "minProperties", "maxProperties",
    };

    /// <summary>Gets keywords that make a schema without <c>type</c> generate arrays.</summary>
    public static IReadOnlySet<string> ArrayKeywords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems",
    };

    /// <summary>Gets keywords that make a schema without <c>type</c> generate strings.</summary>
    public static IReadOnlySet<string> StringKeywords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "minLength", "maxLength", "pattern", "format",
    };

    /// <summary>Gets keywords that make a schema without <c>type</c> generate numbers.</summary>
    public static IReadOnlySet<string> NumberKeywords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    };
}
