using System.Text.Json;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// A condition on one value of a tool call's arguments, addressed by a JSON Pointer (RFC 6901). An absent value satisfies
/// only <see cref="ArgumentOperator.NotExists"/>, <see cref="ArgumentOperator.NotEqual"/> and
/// <see cref="ArgumentOperator.NotIn"/>. Operands read from configuration arrive as strings; they are compared by the
/// argument's type (a numeric argument is compared with the operand read as a number).
/// </summary>
/// <example><c>new ArgumentCondition { Path = "/amount", Operator = ArgumentOperator.GreaterThan, Value = ArgumentCondition.Json(100) }</c></example>
public sealed record ArgumentCondition
{
    /// <summary>Gets the JSON Pointer of the value within the arguments (for example <c>/amount</c> or <c>/items/0/sku</c>).</summary>
    public required string Path { get; init; }

    /// <summary>Gets the comparison.</summary>
    public required ArgumentOperator Operator { get; init; }

    /// <summary>Gets the operand (an array for <see cref="ArgumentOperator.In"/> and <see cref="ArgumentOperator.NotIn"/>; none for the existence checks).</summary>
    public JsonElement? Value { get; init; }

    /// <summary>Gets whether strings compare ignoring case (ordinal, invariant).</summary>
    public bool IgnoreCase { get; init; }

    /// <summary>Converts a value to the JSON operand of a condition.</summary>
    /// <param name="value">A string, number, Boolean, or an array of them.</param>
    /// <returns>The JSON value.</returns>
    public static JsonElement Json(string value) => JsonValues.From(value);

    /// <summary>Converts a number to the JSON operand of a condition.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The JSON value.</returns>
    public static JsonElement Json(decimal value) => JsonValues.From(value);

    /// <summary>Converts a Boolean to the JSON operand of a condition.</summary>
    /// <param name="value">The Boolean.</param>
    /// <returns>The JSON value.</returns>
    public static JsonElement Json(bool value) => JsonValues.From(value);

    /// <summary>Converts strings to the JSON array operand of <see cref="ArgumentOperator.In"/> or <see cref="ArgumentOperator.NotIn"/>.</summary>
    /// <param name="values">The strings.</param>
    /// <returns>The JSON array.</returns>
    public static JsonElement Json(params string[] values) => JsonValues.From(values);
}
