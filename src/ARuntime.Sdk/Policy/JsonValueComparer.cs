using System.Globalization;
using System.Text.Json;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// Compares a tool-call argument with a policy operand, directed by the argument's type: a numeric argument is compared with
/// the operand read as a number (so operands from configuration, which are strings, still compare numerically), a string
/// argument with the operand's text, a Boolean with the operand read as a Boolean, and objects and arrays structurally.
/// </summary>
internal static class JsonValueComparer
{
    public static bool AreEqual(JsonElement argument, JsonElement operand, bool ignoreCase) => argument.ValueKind switch
    {
        JsonValueKind.Number => TryNumber(operand, out var right) && TryNumber(argument, out var left) && left.CompareTo(right) == 0,
        JsonValueKind.String => TryText(operand, out var text) && string.Equals(argument.GetString(), text, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal),
        JsonValueKind.True or JsonValueKind.False => TryBoolean(operand, out var flag) && flag == (argument.ValueKind == JsonValueKind.True),
        JsonValueKind.Null => operand.ValueKind == JsonValueKind.Null,
        JsonValueKind.Object or JsonValueKind.Array => operand.ValueKind == argument.ValueKind && JsonElement.DeepEquals(argument, operand),
        _ => false,
    };

    /// <summary>Orders a number or string argument against the operand; <see langword="null"/> when they cannot be ordered.</summary>
    public static int? Compare(JsonElement argument, JsonElement operand, bool ignoreCase)
    {
        switch (argument.ValueKind)
        {
            case JsonValueKind.Number when TryNumber(argument, out var left) && TryNumber(operand, out var right):
                return left.CompareTo(right);
            case JsonValueKind.String when TryText(operand, out var text):
                return string.Compare(argument.GetString(), text, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
            default:
                return null;
        }
    }

    public static bool TryNumber(JsonElement element, out Number value)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                value = element.TryGetDecimal(out var d) ? new Number(d) : new Number(element.GetDouble());
                return true;
            case JsonValueKind.String:
                var text = element.GetString();
                if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                {
                    value = new Number(parsed);
                    return true;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsedDouble) && double.IsFinite(parsedDouble))
                {
                    value = new Number(parsedDouble);
                    return true;
                }

                break;
        }

        value = default;
        return false;
    }

    private static bool TryText(JsonElement element, out string? text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                text = element.GetString();
                return true;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                text = element.GetRawText();
                return true;
            default:
                text = null;
                return false;
        }
    }

    private static bool TryBoolean(JsonElement element, out bool value)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.True:
                value = true;
                return true;
            case JsonValueKind.False:
                value = false;
                return true;
            case JsonValueKind.String:
                return bool.TryParse(element.GetString(), out value);
            default:
                value = false;
                return false;
        }
    }

    /// <summary>A JSON number as a decimal when it fits, otherwise as a double.</summary>
    internal readonly record struct Number
    {
        private readonly decimal exact;
        private readonly double approximate;
        private readonly bool isExact;

        public Number(decimal value)
        {
            exact = value;
            approximate = (double)value;
            isExact = true;
        }

        public Number(double value)
        {
            approximate = value;
        }

        public decimal? AsDecimal => isExact ? exact : null;

        public int CompareTo(Number other) =>
            isExact && other.isExact ? exact.CompareTo(other.exact) : approximate.CompareTo(other.approximate);
    }
}
