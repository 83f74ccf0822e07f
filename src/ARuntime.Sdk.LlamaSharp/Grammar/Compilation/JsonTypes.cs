using System.Text.Json;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>Sets of JSON Schema types. <see cref="Integer"/> is a subset of <see cref="Number"/>.</summary>
[Flags]
internal enum JsonTypes
{
    /// <summary>No type.</summary>
    None = 0,

    /// <summary><c>null</c>.</summary>
    Null = 1,

    /// <summary><c>boolean</c>.</summary>
    Boolean = 2,

    /// <summary><c>object</c>.</summary>
    Object = 4,

    /// <summary><c>array</c>.</summary>
    Array = 8,

    /// <summary><c>integer</c>: numbers with no fractional part.</summary>
    Integer = 16,

    /// <summary><c>number</c> (includes integers).</summary>
    Number = 32 | Integer,

    /// <summary><c>string</c>.</summary>
    String = 64,

    /// <summary>Every type.</summary>
    All = Null | Boolean | Object | Array | Number | String,
}

/// <summary>Helpers for <see cref="JsonTypes"/>.</summary>
internal static class JsonTypesExtensions
{
    /// <summary>Parses a type name; null when unknown.</summary>
    public static JsonTypes? Parse(string name) => name switch
    {
        "null" => JsonTypes.Null,
        "boolean" => JsonTypes.Boolean,
        "object" => JsonTypes.Object,
        "array" => JsonTypes.Array,
        "integer" => JsonTypes.Integer,
        "number" => JsonTypes.Number,
        "string" => JsonTypes.String,
        _ => null,
    };

    /// <summary>The type of a JSON value (integral numbers are <see cref="JsonTypes.Integer"/>).</summary>
    public static JsonTypes Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => JsonTypes.Null,
        JsonValueKind.True or JsonValueKind.False => JsonTypes.Boolean,
        JsonValueKind.Object => JsonTypes.Object,
        JsonValueKind.Array => JsonTypes.Array,
        JsonValueKind.String => JsonTypes.String,
        JsonValueKind.Number => IsIntegral(value) ? JsonTypes.Integer : (JsonTypes.Number & ~JsonTypes.Integer),
        _ => JsonTypes.None,
    };

    private static bool IsIntegral(JsonElement value)
    {
        try
        {
            return DecimalNumber.Parse(value.GetRawText()).IsInteger;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
